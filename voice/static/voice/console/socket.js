// /ws/voice/ with reconnection: 0.5 s, 1 s, 2 s ... up to 10 s, with jitter, reset on success.

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 10000;
const CLOSE_UNAUTHORISED = 4401; // voice/consumers.py

export class VoiceSocket {
  constructor(path) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    this.url = `${scheme}//${location.host}${path}`;
    this.ws = null;
    this.attempt = 0;
    this.timer = null;
    this.onState = () => {}; // ("connecting"|"open"|"reconnecting", {seconds})
    this.onMessage = () => {}; // (json object)
    this.onAudio = () => {}; // (ArrayBuffer)
  }

  get isOpen() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  connect() {
    clearTimeout(this.timer);
    this.onState(this.attempt === 0 ? "connecting" : "reconnecting", { seconds: 0 });
    const ws = new WebSocket(this.url);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.onState("open", {});
    };
    ws.onmessage = (event) => {
      if (typeof event.data === "string") {
        let message;
        try {
          message = JSON.parse(event.data);
        } catch {
          return;
        }
        this.onMessage(message);
      } else {
        this.onAudio(event.data);
      }
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (event.code === CLOSE_UNAUTHORISED) {
        // The login ended (or the shop membership did): retrying cannot help.
        this.onState("unauthorised", {});
        return;
      }
      this.schedule();
    };
  }

  schedule() {
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.attempt += 1;
    this.onState("reconnecting", { seconds: Math.ceil(delay / 1000) });
    this.timer = setTimeout(() => this.connect(), delay);
  }

  send(message) {
    if (!this.isOpen) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  sendAudio(buffer) {
    if (!this.isOpen) return false;
    this.ws.send(buffer);
    return true;
  }
}
