// A figure from repeated runs: its median, and the spread that says how far to trust it.

export function median(values) {
  if (values.length === 0) throw new Error("the median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** `{ min, median, max, runs }` of the values, `null` when no run produced one. */
export function spread(values) {
  const present = values.filter((value) => value !== null && value !== undefined);
  if (present.length === 0) return null;
  return { min: Math.min(...present), median: median(present), max: Math.max(...present), runs: present };
}

/**
 * Whether `b` is indistinguishable from `a` given the runs: the ranges overlap. With seven runs
 * each, a real difference shows as ranges that do not touch.
 */
export function overlaps(a, b) {
  return a.min <= b.max && b.min <= a.max;
}
