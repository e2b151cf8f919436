// The live WebSocket: reconnects with back-off; pages subscribe to topics.
type Handler = (event: any) => void;
const handlers = new Set<{ topics: string[]; fn: Handler }>();
let socket: WebSocket | null = null;
let retry = 1000;
let statusFn: (up: boolean) => void = () => {};

export function onLiveStatus(fn: (up: boolean) => void): void {
  statusFn = fn;
}

export function connectLive(): void {
  if (socket && socket.readyState <= 1) return;
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/live`;
  socket = new WebSocket(url);
  socket.onopen = () => {
    retry = 1000;
    statusFn(true);
  };
  socket.onmessage = (msg) => {
    let event: any;
    try {
      event = JSON.parse(msg.data);
    } catch {
      return;
    }
    for (const h of handlers) {
      if (h.topics.some((t) => event.topic === t || event.topic.startsWith(t + "."))) h.fn(event);
    }
  };
  socket.onclose = () => {
    statusFn(false);
    socket = null;
    setTimeout(connectLive, retry);
    retry = Math.min(retry * 2, 30000);
  };
}

export function disconnectLive(): void {
  if (socket) {
    socket.onclose = null;
    socket.close();
    socket = null;
  }
}

/** Listen to topics (prefixes like "env" match "env.file"); returns the unsubscribe function. */
export function subscribe(topics: string[], fn: Handler): () => void {
  const entry = { topics, fn };
  handlers.add(entry);
  return () => handlers.delete(entry);
}
