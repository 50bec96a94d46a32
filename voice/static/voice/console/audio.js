// Microphone capture through the PCM worklet, reply playback, and the little "got it" tone.

export class MicError extends Error {
  constructor(kind, cause) {
    super(kind);
    this.kind = kind; // "denied" | "nodevice" | "insecure" | "failed"
    this.cause = cause;
  }
}

// Echo cancellation on, so the reply played through the speaker does not talk over
// the user; noise suppression and auto gain off, because they raised the local
// recogniser's word error rate (1.5% -> 5.3%) and clipped peaks.
export const MIC_CONSTRAINTS = {
  audio: {
    channelCount: 1,
    echoCancellation: true,
    noiseSuppression: false,
    autoGainControl: false,
  },
};

export class Microphone {
  constructor(workletUrl) {
    this.workletUrl = workletUrl;
    this.context = null;
    this.stream = null;
    this.node = null;
    this.onChunk = () => {};
    this.onLevel = () => {};
  }

  get open() {
    return this.node !== null;
  }

  async start() {
    if (this.node) return;
    if (!window.isSecureContext || !navigator.mediaDevices?.getUserMedia) {
      throw new MicError("insecure");
    }
    try {
      this.stream = await navigator.mediaDevices.getUserMedia(MIC_CONSTRAINTS);
    } catch (error) {
      const kind =
        error.name === "NotAllowedError" || error.name === "SecurityError"
          ? "denied"
          : error.name === "NotFoundError" || error.name === "OverconstrainedError"
            ? "nodevice"
            : "failed";
      throw new MicError(kind, error);
    }
    this.context = new AudioContext({ latencyHint: "interactive" });
    await this.context.audioWorklet.addModule(this.workletUrl);
    const source = this.context.createMediaStreamSource(this.stream);
    this.node = new AudioWorkletNode(this.context, "pcm-resampler", {
      numberOfInputs: 1,
      numberOfOutputs: 0,
      channelCount: 1,
      channelCountMode: "explicit",
    });
    this.node.port.onmessage = (event) => {
      this.onLevel(event.data.peak);
      this.onChunk(event.data.pcm);
    };
    source.connect(this.node);
    if (this.context.state === "suspended") await this.context.resume();
  }

  // Push out the samples of the last part-chunk, so "stop" follows all of the speech.
  flush() {
    this.node?.port.postMessage("flush");
  }

  // A short wait lets the worklet's flush message come back before "stop" is sent.
  flushed() {
    return new Promise((resolve) => setTimeout(resolve, 30));
  }

  async close() {
    if (!this.node) return;
    this.node.port.postMessage("close");
    this.node.disconnect();
    this.node = null;
    this.stream.getTracks().forEach((track) => track.stop());
    this.stream = null;
    await this.context.close();
    this.context = null;
  }
}

export class Speaker {
  constructor() {
    this.context = null;
    this.sources = new Set();
    this.pending = null; // a WAV arriving in more than one frame
    this.stream = null; // a WAV of unknown length streaming in as PCM frames
    this.interrupted = 0; // replies cut short by barge-in
    this.onPlay = () => {};
  }

  ensure() {
    if (!this.context) this.context = new AudioContext();
    if (this.context.state === "suspended") this.context.resume();
    return this.context;
  }

  // Reply audio frames: a whole WAV per frame (espeak-ng), a WAV split over frames whose
  // header gives its size, or a stream (OpenAI/ElevenLabs): a header of unknown size,
  // then raw s16le PCM frames, played back to back as they arrive.
  async push(buffer) {
    const bytes = new Uint8Array(buffer);
    if (bytes.length >= 44 && String.fromCharCode(...bytes.slice(0, 4)) === "RIFF") {
      const view = new DataView(buffer);
      const riffSize = view.getUint32(4, true);
      this.stream = null;
      if (riffSize >= 0x7fffffff) {
        this.stream = {
          rate: view.getUint32(24, true),
          channels: view.getUint16(22, true),
          carry: new Uint8Array(0),
          next: 0,
        };
        this.playPcm(bytes.slice(44));
        return;
      }
      this.pending = { parts: [bytes], have: bytes.length, need: riffSize + 8 };
    } else if (this.stream) {
      this.playPcm(bytes);
      return;
    } else if (this.pending) {
      this.pending.parts.push(bytes);
      this.pending.have += bytes.length;
    } else {
      return;
    }
    if (this.pending.have < this.pending.need) return;
    const whole = new Uint8Array(this.pending.have);
    let offset = 0;
    for (const part of this.pending.parts) {
      whole.set(part, offset);
      offset += part.length;
    }
    this.pending = null;
    await this.play(whole.buffer);
  }

  playPcm(bytes) {
    const stream = this.stream;
    const joined = new Uint8Array(stream.carry.length + bytes.length);
    joined.set(stream.carry);
    joined.set(bytes, stream.carry.length);
    const frameBytes = 2 * stream.channels;
    const usable = joined.length - (joined.length % frameBytes);
    stream.carry = joined.slice(usable);
    if (usable === 0) return;
    const context = this.ensure();
    const view = new DataView(joined.buffer, 0, usable);
    const frames = usable / frameBytes;
    const audio = context.createBuffer(stream.channels, frames, stream.rate);
    for (let channel = 0; channel < stream.channels; channel++) {
      const data = audio.getChannelData(channel);
      for (let i = 0; i < frames; i++) data[i] = view.getInt16((i * stream.channels + channel) * 2, true) / 0x8000;
    }
    const source = context.createBufferSource();
    source.buffer = audio;
    source.connect(context.destination);
    source.onended = () => this.sources.delete(source);
    this.sources.add(source);
    const at = Math.max(context.currentTime, stream.next);
    source.start(at);
    stream.next = at + audio.duration;
    this.onPlay();
  }

  async play(wav) {
    const context = this.ensure();
    const audio = await context.decodeAudioData(wav);
    const source = context.createBufferSource();
    source.buffer = audio;
    source.connect(context.destination);
    source.onended = () => this.sources.delete(source);
    this.sources.add(source);
    source.start();
    this.onPlay();
  }

  // Barge-in: the user talks again, so the answer stops at once.
  stop() {
    if (this.playing) this.interrupted += 1;
    for (const source of this.sources) {
      try {
        source.stop();
      } catch {
        /* already ended */
      }
    }
    this.sources.clear();
    this.pending = null;
    this.stream = null;
    if (window.speechSynthesis) window.speechSynthesis.cancel();
  }

  get playing() {
    return this.sources.size > 0 || Boolean(window.speechSynthesis?.speaking);
  }

  // The browser's own voice, when the server sends no audio (TTS off).
  speak(text, lang) {
    if (!window.speechSynthesis || !text) return false;
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = lang && lang.startsWith("en") ? "en-IN" : "hi-IN";
    const voice = window.speechSynthesis
      .getVoices()
      .find((v) => v.lang && v.lang.replace("_", "-").startsWith(utterance.lang.slice(0, 2)));
    if (voice) utterance.voice = voice;
    window.speechSynthesis.speak(utterance);
    this.onPlay();
    return true;
  }

  // "Heard you": two quick soft notes the moment speech ends, before the answer.
  ack() {
    const context = this.ensure();
    const now = context.currentTime;
    [660, 880].forEach((frequency, index) => {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, now + index * 0.09);
      gain.gain.exponentialRampToValueAtTime(0.15, now + index * 0.09 + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + index * 0.09 + 0.08);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(now + index * 0.09);
      oscillator.stop(now + index * 0.09 + 0.09);
    });
  }
}
