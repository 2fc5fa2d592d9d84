import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EvaluationConfig, EvaluationResult } from '@engram/contracts';
import { EvaluationFailure, Evaluator } from './evaluator';

const THREAD_ENTRY = path.join(__dirname, 'evaluation-thread.js');

/** One configuration (evaluate) or the configurations of one chip (evaluateChipRuns). */
type TaskInput = { config: EvaluationConfig } | { configs: EvaluationConfig[] };

interface Task {
  input: TaskInput;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  resolve(result: EvaluationResult | EvaluationResult[]): void;
  reject(error: Error): void;
}

interface ThreadMessage {
  ready?: true;
  loadError?: { name: string; message: string; stack?: string };
  progress?: { done: number; total: number };
  result?: EvaluationResult;
  results?: EvaluationResult[];
  error?: {
    name: string;
    message: string;
    stack?: string;
    field?: string;
    permanent?: boolean;
  };
}

interface Thread {
  worker: Worker;
  task: Task | null;
  /** Resolves once the thread has exited. */
  exited: Promise<void>;
  /** Resolves once the thread has loaded the evaluation module (or exited). */
  loaded: Promise<void>;
}

export interface ThreadPoolOptions {
  /** Threads, one evaluation each at a time (= the worker's job concurrency). */
  size: number;
  /** Absolute path, without extension, of the module exporting the evaluate functions. */
  modulePath: string;
  exportName: string;
  /** Its export running a chip's configurations in one pass (default `evaluateChipRuns`). */
  chipExportName?: string;
  /**
   * A function the module exports that each thread calls once loaded, throwing when the module
   * cannot evaluate (the worker's: every registered model has its engines). Its error fails
   * `ready()` and every evaluation.
   */
  checkName?: string;
  /**
   * Threads started at once (default 0: on demand), so loading the evaluation's modules overlaps
   * the worker's own start instead of delaying its first run.
   */
  prestart?: number;
}

function abortError(signal: AbortSignal): Error {
  const error = new Error(`evaluation aborted: ${String(signal.reason ?? 'aborted')}`);
  error.name = 'AbortError';
  return error;
}

/**
 * Runs `evaluate` and `evaluateChipRuns` on worker threads. The simulation is synchronous CPU work for seconds to
 * minutes; on the main thread it would starve BullMQ's lock renewal (and every other timer).
 * Threads live as long as the process, so each keeps its model artifacts and semantic memories
 * cached between runs. Aborting a run terminates its thread (a synchronous loop cannot be
 * interrupted otherwise); a fresh thread replaces it on the next task.
 */
export class ThreadPoolEvaluator implements Evaluator {
  private readonly threads: Thread[] = [];
  private readonly backlog: Task[] = [];
  private closed = false;
  /** The check's error of the first thread that failed it: the pool cannot evaluate. */
  private loadFailure: Error | null = null;

  constructor(private readonly options: ThreadPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1)
      throw new Error(`thread pool size must be >= 1, got ${options.size}`);
    const prestart = options.prestart ?? 0;
    if (!Number.isInteger(prestart) || prestart < 0 || prestart > options.size)
      throw new Error(`prestart must be an integer in [0, ${options.size}], got ${prestart}`);
    for (let i = 0; i < prestart; i++) this.spawn();
  }

  /**
   * Resolves once the threads started so far (the prestart ones) have loaded the module and
   * passed its check; rejects with the check's error.
   */
  async ready(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.loaded));
    if (this.loadFailure) throw this.loadFailure;
  }

  /** Threads alive (busy or idle). */
  get threadCount(): number {
    return this.threads.length;
  }

  async evaluate(config: EvaluationConfig, signal?: AbortSignal): Promise<EvaluationResult> {
    return (await this.submit({ config }, signal)) as EvaluationResult;
  }

  async evaluateChipRuns(
    configs: EvaluationConfig[],
    options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
  ): Promise<EvaluationResult[]> {
    return (await this.submit(
      { configs },
      options.signal,
      options.onProgress,
    )) as EvaluationResult[];
  }

  private submit(
    input: TaskInput,
    signal?: AbortSignal,
    onProgress?: (done: number, total: number) => void,
  ): Promise<EvaluationResult | EvaluationResult[]> {
    if (this.closed) return Promise.reject(new Error('evaluator is closed'));
    if (this.loadFailure) return Promise.reject(this.loadFailure);
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<EvaluationResult | EvaluationResult[]>((resolve, reject) => {
      const task: Task = { input, signal, onProgress, resolve, reject };
      signal?.addEventListener('abort', () => this.abort(task), { once: true });
      this.backlog.push(task);
      this.dispatch();
    });
  }

  private dispatch(): void {
    if (this.loadFailure) {
      for (const task of this.backlog.splice(0)) task.reject(this.loadFailure);
      return;
    }
    while (this.backlog.length > 0) {
      let thread = this.threads.find((t) => t.task === null);
      if (!thread && this.threads.length < this.options.size) thread = this.spawn();
      if (!thread) return;
      const task = this.backlog.shift() as Task;
      thread.task = task;
      thread.worker.postMessage(task.input);
    }
  }

  private spawn(): Thread {
    const worker = new Worker(THREAD_ENTRY, {
      workerData: {
        modulePath: this.options.modulePath,
        exportName: this.options.exportName,
        chipExportName: this.options.chipExportName ?? 'evaluateChipRuns',
        checkName: this.options.checkName,
      },
    });
    let exitedResolve: () => void = () => undefined;
    let loadedResolve: () => void = () => undefined;
    const exited = new Promise<void>((resolve) => (exitedResolve = resolve));
    const thread: Thread = {
      worker,
      task: null,
      exited,
      loaded: Promise.race([new Promise<void>((resolve) => (loadedResolve = resolve)), exited]),
    };
    worker.on('message', (message: ThreadMessage) => {
      if (message.loadError) {
        const failure = new Error(message.loadError.message);
        failure.name = message.loadError.name;
        failure.stack = message.loadError.stack;
        this.loadFailure ??= failure;
        return;
      }
      if (message.ready) {
        loadedResolve();
        if (this.loadFailure) {
          // The check failed: no task runs on this module (the thread ends, the tasks fail).
          const index = this.threads.indexOf(thread);
          if (index >= 0) this.threads.splice(index, 1);
          thread.task?.reject(this.loadFailure);
          thread.task = null;
          void worker.terminate();
          this.dispatch();
        }
        return;
      }
      if (message.progress) {
        thread.task?.onProgress?.(message.progress.done, message.progress.total);
        return;
      }
      const task = thread.task;
      thread.task = null;
      if (task) {
        if (message.error) {
          const failure = new EvaluationFailure(
            message.error.name,
            message.error.message,
            message.error.field,
            message.error.permanent === true,
          );
          failure.stack = message.error.stack;
          task.reject(failure);
        } else {
          task.resolve((message.results ?? message.result) as EvaluationResult);
        }
      }
      this.dispatch();
    });
    worker.on('error', (error) => {
      // The thread died (out of memory, a crash in the module): fail its task, respawn later.
      thread.task?.reject(error);
      thread.task = null;
    });
    worker.on('exit', () => {
      const index = this.threads.indexOf(thread);
      if (index >= 0) this.threads.splice(index, 1);
      thread.task?.reject(new Error('evaluation thread exited'));
      thread.task = null;
      exitedResolve();
      if (!this.closed) this.dispatch();
    });
    this.threads.push(thread);
    return thread;
  }

  private abort(task: Task): void {
    const error = abortError(task.signal as AbortSignal);
    const queued = this.backlog.indexOf(task);
    if (queued >= 0) {
      this.backlog.splice(queued, 1);
      task.reject(error);
      return;
    }
    const thread = this.threads.find((t) => t.task === task);
    if (!thread) return;
    // Out of the pool at once, so no task is handed to the thread while it terminates.
    this.threads.splice(this.threads.indexOf(thread), 1);
    thread.task = null;
    task.reject(error);
    void thread.worker.terminate();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.backlog.splice(0)) task.reject(new Error('evaluator closed'));
    // A thread still loading its modules is let finish first: terminating it mid-load can abort
    // the process (native addons), which would turn a graceful stop into a crash.
    await Promise.all(
      this.threads.map(async (t) => {
        await t.loaded;
        await t.worker.terminate();
        await t.exited;
      }),
    );
  }
}
