/** What `instrumentFetch()` and `instrumentHttpClient()` return. */
export interface Instrumentation {
  /**
   * Stops tracing new requests and restores what installation changed. Requests already in flight still end
   * their spans. Calling it twice is harmless.
   */
  uninstall(): void;
}
