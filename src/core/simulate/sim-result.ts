/** What a replay measured: the shape `arenactl simulate --json` prints (docs/protocol.md), plus the counts behind the ratios. */

export const POLICIES = ['arena', 'lru', 'belady'] as const;
export type PolicyName = (typeof POLICIES)[number];

export interface SimulationResult {
  readonly policy: PolicyName;
  /** One per model a run read. */
  readonly requests: number;
  readonly hits: number;
  readonly misses: number;
  /** hits / requests (0 for a trace without requests). */
  readonly hitRatio: number;
  /** Bytes served from the SSD / bytes read (0 without requests). */
  readonly byteHitRatio: number;
  readonly requestBytes: number;
  readonly hitBytes: number;
  /** Every byte written to the SSD, including copies cut short. */
  readonly bytesCopied: number;
  /** Cached copies removed to make room or by a trim. */
  readonly evictions: number;
  /** The most the cache ever held, counting copies in progress at their full size. */
  readonly peakBytes: number;
  readonly capacityBytes: number;
}

/** Counts requests, hits and bytes as a replay goes. */
export class Tally {
  requests = 0;
  hits = 0;
  requestBytes = 0;
  hitBytes = 0;
  bytesCopied = 0;
  evictions = 0;
  peakBytes = 0;

  request(bytes: number, hit: boolean): void {
    this.requests += 1;
    this.requestBytes += bytes;
    if (hit) {
      this.hits += 1;
      this.hitBytes += bytes;
    }
  }

  holding(bytes: number): void {
    if (bytes > this.peakBytes) this.peakBytes = bytes;
  }

  result(policy: PolicyName, capacityBytes: number): SimulationResult {
    return {
      policy,
      requests: this.requests,
      hits: this.hits,
      misses: this.requests - this.hits,
      hitRatio: this.requests === 0 ? 0 : this.hits / this.requests,
      byteHitRatio: this.requestBytes === 0 ? 0 : this.hitBytes / this.requestBytes,
      requestBytes: this.requestBytes,
      hitBytes: this.hitBytes,
      bytesCopied: Math.round(this.bytesCopied),
      evictions: this.evictions,
      peakBytes: this.peakBytes,
      capacityBytes,
    };
  }
}
