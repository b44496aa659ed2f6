/**
 * The app's one model of a job: work started by one request, answered at once with the job, that
 * goes on in the background for each of its PCs and is followed by id until it has finished. Reset
 * jobs and wake jobs keep theirs here; what each PC's entry says is the job's own (a reset has
 * steps and an outcome, a wake a packet sent or not).
 *
 * Image steps are not jobs of this kind: one runs per storage host at a time, for no list of PCs,
 * and its record is a row of the image log in the database (what the Images page shows), so it
 * survives a restart without a store in memory.
 */
export interface JobRecord {
  id: string;
  createdAt: number;
  /** null while any of its PCs is still queued or running. */
  finishedAt: number | null;
}

/** A job with its PCs, each in a state of the job's own vocabulary. */
export interface PcJob<S extends string> extends JobRecord {
  requestedBy: string | null;
  machines: { id: number; name: string; state: S; error: string | null }[];
}

/**
 * Jobs in memory, with their completion: a running job is never forgotten (it still holds its PCs),
 * a finished one is kept until `keepFinished` newer finished jobs are kept (then it is only in the
 * job's own history, if it has one). Readers get copies: the runner alone changes a job.
 */
export class JobStore<J extends JobRecord> {
  private readonly jobs = new Map<string, { job: J; done: Promise<J> }>();

  constructor(private readonly keepFinished: number) {}

  /** Adds a job whose runner has started; `done` resolves once it has finished. */
  add(job: J, done: Promise<J>): void {
    this.jobs.set(job.id, { job, done });
    const finished = [...this.jobs.values()].filter((j) => j.job.finishedAt !== null);
    for (const old of finished.slice(0, Math.max(0, finished.length - this.keepFinished))) this.jobs.delete(old.job.id);
  }

  /** A copy of the job as it stands now. */
  get(id: string): J | undefined {
    const j = this.jobs.get(id);
    return j && structuredClone(j.job);
  }

  /** Resolves with the finished job (undefined: no such job in memory). */
  done(id: string): Promise<J> | undefined {
    return this.jobs.get(id)?.done;
  }

  /** The live jobs not finished yet (the runner's own objects: for counting and holding PCs). */
  unfinished(): J[] {
    return [...this.jobs.values()].map((j) => j.job).filter((j) => j.finishedAt === null);
  }
}
