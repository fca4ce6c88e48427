/**
 * Two windows that wrote the same conversation: what each added is kept. A conversation is a tree
 * of turns (a turn's `versions` are the other branches at its place, each with the turns that
 * followed it), and turn ids are unique, so the two copies are merged branch by branch: a branch
 * only one side has is kept as another version of that turn, never dropped. The one exception is
 * what this window removed itself (a failed, empty answer that Retry replaced): a turn the other
 * copy has, that this window had seen (`base`) and no longer has, stays removed.
 *
 * Pure: no I/O. The merge changes `mine` in place and keeps its turn objects, so a turn that is
 * streaming into `mine` keeps streaming into the merged conversation.
 */
import type { StoredConversation, StoredTurn } from './model';

/** What this window last read or wrote of a conversation: the turn ids it had seen, and the title. */
export interface MergeBase {
  ids: ReadonlySet<string>;
  title: string;
}

/** Every turn id in the conversation, in every version. */
export function turnIds(turns: readonly StoredTurn[], into = new Set<string>()): Set<string> {
  for (const t of turns) {
    into.add(t.id);
    for (const v of t.versions?.all ?? []) if (v) turnIds(v, into);
  }
  return into;
}

/** One branch at a place in the tree: its first turn, and where the turns after it are. */
interface Branch {
  head: StoredTurn;
  /** The list holding `head` at `from`; the branch's later turns follow it there. */
  list: StoredTurn[];
  from: number;
}

function branchesAt(list: StoredTurn[], i: number): Branch[] {
  const head = list[i];
  if (!head) return [];
  const v = head.versions;
  if (!v || v.all.length < 2) return [{ head, list, from: i }];
  return v.all.map((b, k) => (k === v.active || !b ? { head, list, from: i } : { head: b[0], list: b, from: 0 }));
}

/**
 * Which copy of one turn is further along: a copy that is not an interruption beats one that is
 * (a window that read another's answer mid-stream holds it as interrupted); an ended answer beats
 * one still going; then the longer text. Ties go to `mine`.
 */
function diskIsFurther(mine: StoredTurn, disk: StoredTurn): boolean {
  if (!!mine.interrupted !== !!disk.interrupted) return !!mine.interrupted;
  if ((mine.endedAt !== undefined) !== (disk.endedAt !== undefined)) return disk.endedAt !== undefined;
  return disk.text.length > mine.text.length;
}

/** Copies the other window's turn into ours (all but its versions, which the merge builds). */
function takeTurn(mine: StoredTurn, disk: StoredTurn): void {
  const versions = mine.versions;
  for (const k of Object.keys(mine) as Array<keyof StoredTurn>) delete mine[k];
  const { versions: _v, ...rest } = disk;
  Object.assign(mine, rest);
  // Streaming in the other window, not here: here it is shown as what it is now, cut off.
  if (mine.state === 'streaming') {
    mine.state = 'stopped';
    mine.interrupted = true;
  }
  if (versions) mine.versions = versions;
}

interface Pair {
  mine?: Branch;
  disk?: Branch;
}

/**
 * Merges the turns from `di` in `disk` and from `mi` in `mine` (same place in the tree) and
 * appends the result to `out`. Returns whether anything of the disk's copy came in.
 */
function mergeFrom(disk: StoredTurn[], di: number, mine: StoredTurn[], mi: number, base: ReadonlySet<string>, out: StoredTurn[]): boolean {
  let changed = false;
  for (;;) {
    const pairs: Pair[] = [];
    const byId = new Map<string, Pair>();
    for (const b of branchesAt(mine, mi)) {
      const p: Pair = { mine: b };
      pairs.push(p);
      byId.set(b.head.id, p);
    }
    const mineHead = mine[mi];
    for (const b of branchesAt(disk, di)) {
      const p = byId.get(b.head.id);
      if (p) p.disk = b;
      else if (!base.has(b.head.id)) {
        // Only the other window has it: another version of this turn (or the turns it added after ours).
        pairs.push({ disk: b });
        byId.set(b.head.id, pairs[pairs.length - 1]);
        changed = true;
      }
    }
    if (!pairs.length) return changed;
    // The branch shown: ours if we have one here, else the one the other window shows.
    const activeId = mineHead?.id ?? disk[di]?.id;
    const active = (activeId && byId.get(activeId)) || pairs[pairs.length - 1];
    // Versions in the order they were made, the same in every window.
    pairs.sort((a, b) => ((a.mine ?? a.disk)!.head.createdAt - (b.mine ?? b.disk)!.head.createdAt));
    const others: Array<StoredTurn[] | null> = [];
    for (const p of pairs) {
      if (p === active) {
        others.push(null);
        continue;
      }
      others.push(branchOf(p, base, () => (changed = true)));
    }
    const head = (active.mine ?? active.disk)!.head;
    if (active.mine && active.disk && head !== active.disk.head && diskIsFurther(head, active.disk.head)) {
      takeTurn(head, active.disk.head);
      changed = true;
    }
    if (!active.mine && head.state === 'streaming') {
      head.state = 'stopped';
      head.interrupted = true;
    }
    if (others.length > 1) head.versions = { all: others, active: others.indexOf(null) };
    else delete head.versions;
    out.push(head);
    // On along the branch shown.
    if (active.mine && active.disk) {
      mine = active.mine.list;
      mi = active.mine.from + 1;
      disk = active.disk.list;
      di = active.disk.from + 1;
    } else if (active.mine) {
      mine = active.mine.list;
      mi = active.mine.from + 1;
      disk = [];
      di = 0;
    } else {
      mine = [];
      mi = 0;
      disk = active.disk!.list;
      di = active.disk!.from + 1;
    }
  }
}

/** A branch that is not shown, as a version's list of turns (its first turn without versions). */
function branchOf(p: Pair, base: ReadonlySet<string>, disked: () => void): StoredTurn[] {
  const out: StoredTurn[] = [];
  const mineB = p.mine;
  const diskB = p.disk;
  const headOf = (h: StoredTurn): StoredTurn => {
    const { versions: _v, ...rest } = h;
    return rest;
  };
  if (mineB && diskB) {
    const head = headOf(mineB.head);
    if (diskIsFurther(head, diskB.head)) {
      takeTurn(head, diskB.head);
      disked();
    }
    out.push(head);
    if (mergeFrom(diskB.list, diskB.from + 1, mineB.list, mineB.from + 1, base, out)) disked();
  } else {
    const b = (mineB ?? diskB)!;
    out.push(headOf(b.head), ...b.list.slice(b.from + 1));
  }
  return out;
}

/**
 * Takes what the copy on disk (written by another window) has into `mine`, in place. `base` is
 * what this window last read or wrote (undefined: it never saw this conversation on disk).
 * Returns whether `mine` changed.
 */
export function mergeConversations(mine: StoredConversation, disk: StoredConversation, base?: MergeBase): boolean {
  const out: StoredTurn[] = [];
  let changed = mergeFrom(disk.turns, 0, mine.turns, 0, base?.ids ?? new Set(), out);
  mine.turns.splice(0, mine.turns.length, ...out);
  // The title: ours if we renamed it since we last saw the file, else theirs.
  if (disk.title !== mine.title && (!base || mine.title === base.title)) {
    mine.title = disk.title;
    changed = true;
  }
  mine.updatedAt = Math.max(mine.updatedAt, disk.updatedAt);
  mine.createdAt = Math.min(mine.createdAt, disk.createdAt);
  return changed;
}
