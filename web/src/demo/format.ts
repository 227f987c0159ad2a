/** Small display helpers shared by the demo's pages. */

/** "in 59 min 3 s", "2 s ago". */
export function relativeTime(targetMs: number, nowMs: number): string {
  const seconds = Math.round((targetMs - nowMs) / 1000);
  const magnitude = Math.abs(seconds);
  const d = Math.floor(magnitude / 86_400);
  const h = Math.floor((magnitude % 86_400) / 3600);
  const m = Math.floor((magnitude % 3600) / 60);
  const s = magnitude % 60;
  const text = d > 0 ? `${d} d ${h} h` : h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s} s` : `${s} s`;
  return seconds >= 0 ? `in ${text}` : `${text} ago`;
}

/** "2026-11-23 19:40:12 UTC": unambiguous on any machine. */
export function utc(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "19:40:12" in UTC, for tables where the date is obvious. */
export function utcTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().slice(11, 19);
}
