import type { AuthInfo, McpServer } from '@modelcontextprotocol/server';

/** What the gateway knows when it asks for a server; a factory that takes no argument ignores it. */
export interface ServerContext {
  /** `streamable-http`: the server answers one POST. `sse`: it serves one SSE session, whose callers may change. */
  transport: 'streamable-http' | 'sse';
  /** Protocol era of the POST (Streamable HTTP only): `modern` is 2026-07-28, `legacy` the 2025 revisions. */
  era?: 'legacy' | 'modern';
  /**
   * The caller of the POST (Streamable HTTP), or whoever opened the stream (SSE). Handlers must read the caller of
   * each request from `ctx.http.authInfo`: over SSE it is the credential of the POST that carried the message.
   */
  authInfo?: AuthInfo;
}

export type ServerFactory = (context: ServerContext) => McpServer;
