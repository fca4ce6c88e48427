/**
 * Versions of a turn: Regenerate and Edit & resend keep what they replace as an earlier version
 * ("‹ 1/2 ›"), each with the turns that followed it, instead of deleting it.
 */
import type { StoredTurn, TurnVersions } from './model';

/**
 * Takes the turns from `i` on out of the conversation, keeping them as a version of turn `i`,
 * and returns the versions for the turn that replaces it (the new version, made active).
 */
export function detachVersion(turns: StoredTurn[], i: number): TurnVersions {
  const old = turns.splice(i);
  const { versions, ...head } = old[0];
  const v: TurnVersions = versions ? { all: [...versions.all], active: versions.active } : { all: [null], active: 0 };
  v.all[v.active] = [head, ...old.slice(1)];
  v.all.push(null);
  v.active = v.all.length - 1;
  return v;
}

/** Shows version `to` of turn `i`: the turns from `i` on become that version's. False if there is no such version. */
export function switchVersion(turns: StoredTurn[], i: number, to: number): boolean {
  const v = turns[i]?.versions;
  if (!v || to < 0 || to >= v.all.length || to === v.active || !v.all[to]) return false;
  const old = turns.splice(i);
  const { versions: _v, ...head } = old[0];
  const next = v.all[to]!;
  const all = [...v.all];
  all[v.active] = [head, ...old.slice(1)];
  all[to] = null;
  turns.push({ ...next[0], versions: { all, active: to } }, ...next.slice(1));
  return true;
}
