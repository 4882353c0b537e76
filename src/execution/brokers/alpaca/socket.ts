/**
 * @module The websocket seam of the trade_updates stream: the stream logic talks to a
 * `WebSocketLike` made by a `SocketFactory`, so tests drive it with an in-memory socket and
 * production uses the `ws` package (wsSocket.ts). Frames reach the handlers as text: Alpaca sends
 * trade_updates as binary frames holding UTF-8 JSON, and the adapter decodes both kinds.
 */

export interface SocketHandlers {
  onOpen(): void;
  onMessage(text: string): void;
  onClose(code: number, reason: string): void;
  onError(err: Error): void;
}

export interface WebSocketLike {
  send(text: string): void;
  /** Starts the closing handshake; onClose follows. */
  close(): void;
}

export type SocketFactory = (url: string, handlers: SocketHandlers) => WebSocketLike;
