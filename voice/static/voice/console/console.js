// The voice console: push-to-talk / hands-free capture, the command's cards, reply audio,
// the side panel. Talks the /ws/voice/ protocol of docs (CONTRACTS.md "WebSocket").
import { Microphone, MicError, Speaker } from "./audio.js";
import { VoiceSocket } from "./socket.js";

const root = document.getElementById("console");
const T = JSON.parse(document.getElementById("console-messages").textContent);
const $ = (id) => document.getElementById(id);
const el = {
  conn: $("conn"), ptt: $("ptt"), pttLabel: $("ptt-label"), level: $("level-bar"),
  handsfree: $("handsfree"), speechLang: $("speech-lang"), micState: $("mic-state"),
  transcript: $("transcript"), ack: $("ack"), intentCard: $("intent-card"),
  intentName: $("intent-name"), entities: $("intent-entities"), confirmCard: $("confirm-card"),
  confirmPrompt: $("confirm-prompt"), yes: $("confirm-yes"), no: $("confirm-no"),
  resultCard: $("result-card"), resultTitle: $("result-title"), resultBody: $("result-body"),
  replyText: $("reply-text"), error: $("error"), form: $("text-form"), input: $("text-input"),
  dashboard: $("dashboard"), options: $("confirm-options"), yesNo: $("confirm-yes-no"),
};

// What the browser tests read: the stop -> first reply audio figure, and every frame seen.
const metrics = (window.__execora = {
  stopToAudioMs: [], frames: [], times: [], heard: [], played: [], synthesized: [], sent: 0, audioFrames: 0,
});

const socket = new VoiceSocket(root.dataset.wsPath);
const mic = new Microphone(root.dataset.workletUrl);
const speaker = new Speaker();
metrics.speaker = speaker;
metrics.mic = mic;
const ASKING = new Set(["confirm", "question"]); // result statuses that wait for an answer
const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");

let streaming = false; // a "start" was sent and audio flows to the server
let pressed = false; // the talk button or space bar is held
let handsFree = false;
let stopAt = null; // performance.now() when the last "stop" (or typed command) was sent
let measured = true; // the figure for the last stop has been taken
let lastReply = null; // {text, lang, audio: bool}
let fallbackTimer = null;
let pttStopped = false; // the talk button was let go and its utterance is not heard yet
let restartedAt = -Infinity; // when hands-free last re-sent `start` after the server stopped

// ---------------------------------------------------------------- connection state
socket.onState = (state, { seconds }) => {
  el.conn.dataset.state = state;
  if (state === "open") {
    el.conn.textContent = T.connected;
    el.ptt.disabled = false;
    refreshDashboard();
    if (handsFree) startStreaming();
  } else if (state === "unauthorised") {
    toLogin();
  } else {
    if (state === "reconnecting" && seconds) probeLogin();
    el.ptt.disabled = true;
    streaming = false;
    setPressed(false);
    el.conn.textContent =
      state === "connecting" ? T.connecting : seconds ? fill(T.reconnecting, { seconds }) : T.reconnectingNow;
  }
};

function toLogin() {
  location.assign(`/accounts/login/?next=${encodeURIComponent(location.pathname)}`);
}

// A refused WebSocket handshake (logged out elsewhere, session expired) reaches the page as
// a plain close with no code; a plain HTTP request tells "logged out" from "server down".
async function probeLogin() {
  try {
    const response = await fetch(root.dataset.dashboardUrl, { redirect: "manual" });
    if (response.type === "opaqueredirect" || response.status === 403) toLogin();
  } catch {
    /* the server is down: keep reconnecting */
  }
}

// ---------------------------------------------------------------- money and words
function rupees(value) {
  // Money arrives as a decimal string; group it the Indian way without ever making a float.
  const text = String(value ?? "");
  const match = text.match(/^(-?)(\d+)(\.\d+)?$/);
  if (!match) return text;
  const [, sign, whole, fraction = ""] = match;
  const last3 = whole.slice(-3);
  const rest = whole.slice(0, -3).replace(/\B(?=(\d{2})+(?!\d))/g, ",");
  return `${sign}₹${rest ? `${rest},${last3}` : last3}${fraction}`;
}

function when(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(root.dataset.lang === "hi" ? "hi-IN" : "en-IN", {
    dateStyle: "medium", timeStyle: "short",
  }).format(date);
}

function describe(key, value) {
  if (value === null || value === undefined || value === "") return "";
  if (key === "items" && Array.isArray(value)) {
    return value.map((item) => [item.quantity, item.unit, item.product].filter(Boolean).join(" ")).join(", ");
  }
  if (key === "amount" || key === "unit_price") return rupees(value);
  if (key === "when") return when(value);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function show(node, visible) {
  node.hidden = !visible;
}

function clearCommand() {
  show(el.intentCard, false);
  show(el.confirmCard, false);
  show(el.resultCard, false);
  show(el.error, false);
  show(el.ack, false);
  el.replyText.textContent = "";
  clearTimeout(fallbackTimer);
  lastReply = null;
}

function showError(text) {
  el.error.textContent = text;
  show(el.error, true);
}

// ---------------------------------------------------------------- server frames
const handlers = {
  ready() {},
  // Hands-free heard "Suno Execora": show and sound that it is listening for the command.
  wake() {
    speaker.stop();
    acknowledge();
  },
  transcript(message) {
    if (handsFree && !message.final) speaker.stop(); // barge-in in hands-free mode
    el.transcript.replaceChildren();
    const span = document.createElement("span");
    span.textContent = message.text || "";
    if (!message.final) span.className = "partial";
    el.transcript.append(span);
    if (message.final) {
      metrics.heard.push(message.text);
      if (message.text) pttStopped = false;
    }
    if (message.final && handsFree) acknowledge();
  },
  intent(message) {
    show(el.ack, false);
    if (message.intent === "confirm" || message.intent === "deny") return;
    el.intentName.textContent = T.intents[message.intent] || message.intent;
    el.entities.replaceChildren();
    for (const [key, value] of Object.entries(message.entities || {})) {
      const text = describe(key, value);
      if (!text) continue;
      const dt = document.createElement("dt");
      dt.textContent = T.entities[key] || key;
      const dd = document.createElement("dd");
      dd.textContent = text;
      dd.dataset.entity = key;
      el.entities.append(dt, dd);
    }
    show(el.intentCard, true);
  },
  confirm_required(message) {
    el.confirmPrompt.textContent = message.prompt || "";
    // "Which Ramesh?": one button per customer, answered as if typed; else Yes / No.
    const options = Array.isArray(message.options) && message.options.length > 1 ? message.options : [];
    el.options.replaceChildren(
      ...options.map((option) => {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = option.name;
        button.addEventListener("click", () => sendText(option.name));
        return button;
      }),
    );
    show(el.options, options.length > 0);
    show(el.yesNo, options.length === 0);
    show(el.confirmCard, true);
    el.yes.disabled = el.no.disabled = false;
    (options.length ? el.options.firstElementChild : el.yes).focus();
  },
  result(message) {
    if (ASKING.has(message.status)) return; // the question is on screen; the answer comes later
    show(el.confirmCard, false);
    show(el.ack, false);
    renderResult(message);
    refreshDashboard();
  },
  reply(message) {
    lastReply = { text: message.text, lang: message.lang, audio: false };
    el.replyText.textContent = message.text || "";
    if (el.resultCard.hidden && el.confirmCard.hidden) {
      // A question or a refusal with no result card yet: the reply is the answer.
      el.resultTitle.textContent = "";
      el.resultBody.replaceChildren();
      show(el.resultCard, true);
    }
    // TTS off sends no audio: the browser's own voice speaks instead.
    clearTimeout(fallbackTimer);
    fallbackTimer = setTimeout(speakFallback, 2500);
  },
  timing(message) {
    metrics.timing = message.stages;
    speakFallback();
  },
  error(message) {
    // Hands-free hears the shop all day (and its own `stop` when switched off): an utterance
    // with no words in it is news only right after the user let go of the talk button.
    if (message.code === "no_speech") {
      if (!pttStopped) return;
      pttStopped = false;
    }
    if (message.code === "already_started") return; // listening already: nothing is lost
    if (message.code === "not_started") {
      // The server stopped listening (a recogniser failure ends the `start`): hands-free
      // starts again (once for the burst of frames already in flight); push-to-talk stops
      // sending until the next press.
      if (streaming && performance.now() - restartedAt > 1000) {
        restartedAt = performance.now();
        streaming = false;
        if (handsFree) startStreaming();
      }
      return;
    }
    show(el.ack, false);
    // The server's messages are written for the shopkeeper; the code only when there is none.
    showError(message.message || fill(T.serverError, { message: message.code }));
    if (streaming && !handsFree) streaming = false;
  },
};

socket.onMessage = (message) => {
  metrics.frames.push(message.type);
  metrics.times.push(Math.round(performance.now()));
  (handlers[message.type] || (() => {}))(message);
};

socket.onAudio = (buffer) => {
  metrics.audioFrames += 1;
  if (lastReply) lastReply.audio = true;
  clearTimeout(fallbackTimer);
  speaker.push(buffer).catch((error) => console.warn("reply audio", error));
};

function speakFallback() {
  clearTimeout(fallbackTimer);
  if (!lastReply || lastReply.audio || lastReply.spoken) return;
  lastReply.spoken = true;
  if (speaker.speak(lastReply.text, lastReply.lang)) metrics.synthesized.push(lastReply.text);
}

speaker.onPlay = () => {
  metrics.played.push(performance.now());
  if (!measured && stopAt !== null) {
    measured = true;
    metrics.stopToAudioMs.push(Math.round(performance.now() - stopAt));
  }
};

function line(label, value, id) {
  const p = document.createElement("p");
  const strong = document.createElement("strong");
  strong.textContent = `${label}: `;
  const span = document.createElement("span");
  span.textContent = value;
  if (id) span.id = id;
  p.append(strong, span);
  return p;
}

function renderResult(message) {
  const data = message.data || {};
  const ok = message.ok !== false;
  el.resultCard.classList.toggle("refused", !ok);
  const name = T.intents[message.intent] || message.intent || "";
  el.resultTitle.textContent =
    message.status === "cancelled" ? T.cancelled : ok ? name : `${name} — ${T.refused}`;
  const body = [];
  if (data.customer && data.customer.balance !== undefined) {
    const p = document.createElement("p");
    p.className = "big";
    p.id = "result-balance";
    p.textContent = `${T.newBalance}${data.customer.name ? ` (${data.customer.name})` : ""}: ${rupees(data.customer.balance)}`;
    body.push(p);
  }
  if (data.amount !== undefined) body.push(line(T.amount, rupees(data.amount)));
  if (data.invoice) {
    body.push(line(T.invoice, data.invoice.number, "result-invoice"));
    body.push(line(T.total, rupees(data.invoice.grand_total)));
    if (data.invoice.amount_due && data.invoice.amount_due !== "0.00") {
      body.push(line(T.due, rupees(data.invoice.amount_due)));
    }
    const lines = document.createElement("div");
    lines.className = "invoice-lines";
    body.push(lines);
    fetch(root.dataset.invoiceUrl.replace(/\/0\/$/, `/${data.invoice.id}/`), { credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : ""))
      .then((html) => {
        lines.innerHTML = html;
      })
      .catch(() => {});
  }
  if (data.reminder?.scheduled_at) body.push(line(T.reminderAt, when(data.reminder.scheduled_at), "result-reminder"));
  if (data.product?.stock !== undefined) body.push(line(T.stock, data.product.stock));
  el.resultBody.replaceChildren(...body);
  show(el.resultCard, true);
}

async function refreshDashboard() {
  try {
    const response = await fetch(root.dataset.dashboardUrl, { credentials: "same-origin" });
    if (response.ok) el.dashboard.innerHTML = await response.text();
  } catch {
    /* the socket's state already says the server is away */
  }
}

// ---------------------------------------------------------------- talking
function acknowledge() {
  speaker.ack();
  el.ack.textContent = T.working;
  show(el.ack, true);
}

function micProblem(error) {
  const kind = error instanceof MicError ? error.kind : "failed";
  el.micState.textContent =
    kind === "denied" ? T.noMic : kind === "nodevice" ? T.noMicDevice : kind === "insecure" ? T.insecure : T.noMicDevice;
  el.micState.dataset.kind = kind;
  show(el.micState, true);
  handsFree = el.handsfree.checked = false;
  el.ptt.classList.remove("handsfree");
}

function level(peak) {
  el.level.style.width = `${Math.min(100, Math.round(Math.sqrt(peak) * 100))}%`;
}
mic.onLevel = level;
mic.onChunk = (pcm) => {
  if (streaming && socket.sendAudio(pcm)) metrics.sent += pcm.byteLength;
};

async function openMic() {
  try {
    await mic.start();
    show(el.micState, false);
    return true;
  } catch (error) {
    micProblem(error);
    return false;
  }
}

function startFrame() {
  const frame = { type: "start", format: "pcm_s16le", sample_rate: 16000, language: el.speechLang.value };
  if (handsFree) frame.mode = "hands_free";
  return frame;
}

async function startStreaming() {
  speaker.stop(); // barge-in: talking again silences the answer
  clearTimeout(fallbackTimer);
  if (!socket.isOpen) {
    showError(T.notConnected);
    return false;
  }
  if (!(await openMic())) return false;
  if (!handsFree && !pressed) return false; // let go before the microphone was ready
  clearCommand();
  socket.send(startFrame());
  streaming = true;
  return true;
}

async function stopStreaming() {
  if (!streaming) return;
  acknowledge(); // at once, before the answer is ready
  // Push the worklet's part-chunk out while `streaming` still forwards it, then "stop".
  mic.flush();
  await mic.flushed();
  streaming = false;
  socket.send({ type: "stop" });
  stopAt = performance.now();
  measured = false;
  pttStopped = !handsFree;
}

function setPressed(value) {
  pressed = value;
  el.ptt.setAttribute("aria-pressed", String(value));
  el.pttLabel.textContent = value ? T.listening : handsFree ? T.handsFreeOn : T.holdToTalk;
}

async function press() {
  if (pressed || el.ptt.disabled) return;
  if (handsFree) setHandsFree(false);
  setPressed(true);
  if (!(await startStreaming())) setPressed(false);
}

async function release() {
  if (!pressed) return;
  setPressed(false);
  await stopStreaming();
}

el.ptt.addEventListener("pointerdown", (event) => {
  if (event.button !== 0) return;
  el.ptt.setPointerCapture(event.pointerId);
  press();
});
el.ptt.addEventListener("pointerup", release);
el.ptt.addEventListener("pointercancel", release);
el.ptt.addEventListener("click", (event) => {
  // Enter on the focused button toggles: a keyboard cannot "hold" Enter comfortably.
  if (event.detail !== 0) return;
  if (pressed) release();
  else press();
});

function spaceTarget(target) {
  if (target === el.ptt) return true;
  return !target.closest("input, textarea, select, button, a, [contenteditable]");
}

document.addEventListener("keydown", (event) => {
  if (event.code !== "Space" || !spaceTarget(event.target)) return;
  event.preventDefault();
  if (!event.repeat) press();
});
document.addEventListener("keyup", (event) => {
  if (event.code !== "Space" || !spaceTarget(event.target)) return;
  event.preventDefault();
  release();
});

async function setHandsFree(on) {
  if (handsFree && streaming) {
    streaming = false;
    socket.send({ type: "stop" });
  }
  handsFree = el.handsfree.checked = on;
  el.ptt.classList.toggle("handsfree", on);
  el.pttLabel.textContent = on ? T.handsFreeOn : T.holdToTalk;
  if (on && !(await startStreaming())) {
    handsFree = el.handsfree.checked = false;
    el.ptt.classList.remove("handsfree");
    el.pttLabel.textContent = T.holdToTalk;
  }
}
el.handsfree.addEventListener("change", () => setHandsFree(el.handsfree.checked));

// ---------------------------------------------------------------- yes / no, typed commands
function answer(yes) {
  el.yes.disabled = el.no.disabled = true;
  speaker.stop();
  socket.send({ type: "confirm", answer: yes });
}
el.yes.addEventListener("click", () => answer(true));
el.no.addEventListener("click", () => answer(false));

function sendText(text) {
  speaker.stop();
  if (!socket.send({ type: "text", text })) {
    showError(T.notConnected);
    return false;
  }
  clearCommand();
  el.transcript.textContent = text;
  measured = true; // the stop -> audio figure is for spoken commands only
  return true;
}

el.form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = el.input.value.trim();
  if (text && sendText(text)) el.input.value = "";
});

socket.connect();
