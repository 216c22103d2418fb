/**
 * Sets `key` as the most recently used entry of `map` (a Map keeps insertion order), dropping the
 * least recently used past `size`. What the in-memory caches' least-recently-used bound is made of.
 */
export function setRecent<K, V>(map: Map<K, V>, key: K, value: V, size: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > size) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
}
