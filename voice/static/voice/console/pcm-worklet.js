// AudioWorklet: microphone float samples at the context's rate -> 16 kHz signed 16-bit PCM.
//
// Each output sample is the mean of the input samples that fall in its 1/16000 s
// window (fractional edges weighted). That box filter is a cheap low-pass before
// decimation, so 48 kHz speech does not alias into the recogniser's band.
// Chunks of ~100 ms go to the main thread with the chunk's peak level.

const OUT_RATE = 16000;
const CHUNK_SAMPLES = 1600; // 100 ms at 16 kHz

class PcmResampler extends AudioWorkletProcessor {
  constructor() {
    super();
    this.ratio = sampleRate / OUT_RATE; // input samples per output sample
    this.acc = 0; // weighted sum of the current window
    this.filled = 0; // input samples (fractional) in the current window
    this.out = new Int16Array(CHUNK_SAMPLES);
    this.n = 0;
    this.peak = 0;
    this.active = true;
    this.port.onmessage = (event) => {
      if (event.data === "flush") this.flush();
      if (event.data === "close") this.active = false;
    };
  }

  emit(value) {
    const clamped = Math.max(-1, Math.min(1, value));
    this.out[this.n++] = clamped < 0 ? clamped * 0x8000 : clamped * 0x7fff;
    const magnitude = Math.abs(clamped);
    if (magnitude > this.peak) this.peak = magnitude;
    if (this.n === CHUNK_SAMPLES) this.flush();
  }

  flush() {
    if (this.n === 0) return;
    const chunk = this.out.slice(0, this.n);
    this.port.postMessage({ pcm: chunk.buffer, peak: this.peak }, [chunk.buffer]);
    this.n = 0;
    this.peak = 0;
  }

  process(inputs) {
    const input = inputs[0];
    if (!input || input.length === 0) return this.active;
    const channel = input[0]; // mono: the first channel is the microphone
    for (let i = 0; i < channel.length; i++) {
      let weight = 1;
      const sample = channel[i];
      while (this.filled + weight >= this.ratio) {
        const part = this.ratio - this.filled; // the share of this sample that closes the window
        this.acc += sample * part;
        this.emit(this.acc / this.ratio);
        weight -= part;
        this.acc = 0;
        this.filled = 0;
      }
      this.acc += sample * weight;
      this.filled += weight;
    }
    return this.active;
  }
}

registerProcessor("pcm-resampler", PcmResampler);
