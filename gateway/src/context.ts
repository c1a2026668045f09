export interface GatewayContext {
  requestId: string;
  authorization?: string;
  /** The client address as the gateway saw it, so per-IP limits in subgraphs count clients, not the gateway. */
  forwardedFor: string;
}
