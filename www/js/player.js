// Play / pause / step / reset over a set of step-wise runs. Work is cut into slices that fit in
// one animation frame, so the page stays responsive however long the runs are.

const FRAME_BUDGET_MS = 12;

export class Player {
  /**
   * @param {object} o
   * @param {() => boolean} o.advance  does one slice of work; returns false when nothing is left
   * @param {() => void} o.render      redraws after work was done
   * @param {(playing: boolean) => void} o.onState  play state changed
   */
  constructor({ advance, render, onState }) {
    Object.assign(this, { advance, render, onState });
    this.playing = false;
    this.frame = null;
  }

  play() {
    if (this.playing) return;
    this.playing = true;
    this.onState(true);
    const tick = () => {
      const start = performance.now();
      let more = true;
      while (more && performance.now() - start < FRAME_BUDGET_MS) more = this.advance();
      this.render();
      if (more && this.playing) this.frame = requestAnimationFrame(tick);
      else this.pause();
    };
    this.frame = requestAnimationFrame(tick);
  }

  pause() {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = null;
    if (this.playing) {
      this.playing = false;
      this.onState(false);
    }
  }

  /** One slice of work, then a redraw. */
  step() {
    this.pause();
    this.advance();
    this.render();
  }
}
