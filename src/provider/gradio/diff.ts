/**
 * Applies Gradio's streamed output diffs (sse_v2 and later): each op is `[op, path, value]`
 * with op one of replace | append | add | delete and path a list of list indices and dict keys.
 * Same semantics as `apply_diff` in @gradio/client and gradio_client, but never mutates its input
 * outside the touched path and fails with a clear message on a path that does not exist.
 */

export type DiffOp = [op: string, path: Array<string | number>, value: unknown];

export class DiffError extends Error {
  override readonly name = 'DiffError';
}

export function isDiffOpList(x: unknown): x is DiffOp[] {
  return (
    Array.isArray(x) &&
    x.every((op) => Array.isArray(op) && op.length >= 2 && typeof op[0] === 'string' && Array.isArray(op[1]))
  );
}

export function applyDiff(value: unknown, ops: readonly DiffOp[]): unknown {
  let result = value;
  for (const op of ops) result = applyOne(result, op);
  return result;
}

function applyOne(root: unknown, [op, path, value]: DiffOp): unknown {
  if (path.length === 0) {
    switch (op) {
      case 'replace':
        return value;
      case 'append':
        return appendTo(root, value, path);
      default:
        throw new DiffError(`diff op "${op}" needs a path`);
    }
  }
  const parentPath = path.slice(0, -1);
  const key = path[path.length - 1];
  const parent = walk(root, parentPath);
  if (Array.isArray(parent)) {
    const idx = typeof key === 'number' ? key : Number(key);
    if (!Number.isInteger(idx) || idx < 0) throw new DiffError(`bad list index ${JSON.stringify(key)} at ${fmt(path)}`);
    switch (op) {
      case 'replace':
        if (idx >= parent.length) throw new DiffError(`no item at ${fmt(path)}`);
        parent[idx] = value;
        break;
      case 'append':
        if (idx >= parent.length) throw new DiffError(`no item at ${fmt(path)}`);
        parent[idx] = appendTo(parent[idx], value, path);
        break;
      case 'add':
        if (idx > parent.length) throw new DiffError(`cannot add past the end at ${fmt(path)}`);
        parent.splice(idx, 0, value);
        break;
      case 'delete':
        if (idx >= parent.length) throw new DiffError(`no item to delete at ${fmt(path)}`);
        parent.splice(idx, 1);
        break;
      default:
        throw new DiffError(`unknown diff op "${op}"`);
    }
  } else if (parent !== null && typeof parent === 'object') {
    const obj = parent as Record<string, unknown>;
    const k = String(key);
    switch (op) {
      case 'replace':
      case 'add':
        obj[k] = value;
        break;
      case 'append':
        obj[k] = appendTo(obj[k], value, path);
        break;
      case 'delete':
        delete obj[k];
        break;
      default:
        throw new DiffError(`unknown diff op "${op}"`);
    }
  } else {
    throw new DiffError(`no list or object at ${fmt(parentPath)}`);
  }
  return root;
}

function walk(root: unknown, path: Array<string | number>): unknown {
  let cur = root;
  for (let i = 0; i < path.length; i++) {
    const k = path[i];
    if (Array.isArray(cur)) cur = cur[typeof k === 'number' ? k : Number(k)];
    else if (cur !== null && typeof cur === 'object') cur = (cur as Record<string, unknown>)[String(k)];
    else throw new DiffError(`no list or object at ${fmt(path.slice(0, i))}`);
    if (cur === undefined) throw new DiffError(`nothing at ${fmt(path.slice(0, i + 1))}`);
  }
  return cur;
}

function appendTo(target: unknown, value: unknown, path: Array<string | number>): unknown {
  if (typeof target === 'string' && typeof value === 'string') return target + value;
  if (Array.isArray(target) && Array.isArray(value)) return target.concat(value);
  if (target === null || target === undefined) return value;
  throw new DiffError(`cannot append ${typeof value} to ${typeof target} at ${fmt(path)}`);
}

function fmt(path: Array<string | number>): string {
  return JSON.stringify(path);
}
