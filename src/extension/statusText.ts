/** Queue and progress status as a person reads it: "3rd in queue of 7, about 12 s". */
import type { SpaceStatus } from '../provider/types';

export function ordinal(n: number): string {
  const s = n % 100;
  if (s >= 11 && s <= 13) return `${n}th`;
  switch (n % 10) {
    case 1:
      return `${n}st`;
    case 2:
      return `${n}nd`;
    case 3:
      return `${n}rd`;
    default:
      return `${n}th`;
  }
}

export function duration(seconds: number): string {
  const s = Math.max(1, Math.round(seconds));
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 90 ? `${m} min` : `${Math.round(m / 60)} h`;
}

/** The text to show for a status, or null when it changes nothing a person needs to see. */
export function statusText(s: SpaceStatus): string | null {
  switch (s.stage) {
    case 'connecting':
      return 'Connecting to the Space…';
    case 'waking':
      return s.waitedSeconds < 1
        ? 'The Space is asleep or starting; waking it up (this can take a minute or two)…'
        : `Waiting for the Space to wake up… ${duration(s.waitedSeconds)} so far (gives up after ${duration(s.timeoutSeconds)})`;
    case 'queued': {
      // Gradio's rank counts the jobs ahead: rank 0 is next in line.
      const place = s.position + 1;
      const of = s.queueSize && s.queueSize > 1 ? ` of ${s.queueSize}` : '';
      const eta = s.etaSeconds !== null && s.etaSeconds > 0 ? `, about ${duration(s.etaSeconds)}` : '';
      return `${ordinal(place)} in queue${of}${eta}`;
    }
    case 'started':
      return 'Generating…';
    case 'progress':
      return s.fraction !== null ? `Working… ${Math.round(s.fraction * 100)}%` : 'Working…';
    case 'log':
      return s.message || null;
    case 'warning':
      return null;
    case 'alive':
      return `Still waiting; the Space is alive (${duration(s.waitedSeconds)} so far)…`;
    case 'space-starting':
      return `${s.space} is ${s.stage_}; waiting for it…`;
    case 'fallback':
      return `${s.reason}; asking ${s.to} instead…`;
  }
}
