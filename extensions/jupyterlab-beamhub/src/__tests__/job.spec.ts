import { describe, expect, it } from 'vitest';

import { CatalogueError } from '../api';
import { JobModel, MAX_INTERVAL } from '../model/job';
import { ISelection } from '../types';
import { FakeCatalogue } from './fakeapi';

/** The fake catalogue, unreachable for its first `outages` status checks. */
class FlakyCatalogue extends FakeCatalogue {
  constructor(public outages: number) {
    super();
  }
  checks = 0;
  async selection(): Promise<ISelection> {
    this.checks += 1;
    if (this.outages > 0) {
      this.outages -= 1;
      throw new CatalogueError('The catalogue is unavailable', 503, 'unavailable');
    }
    return super.selection();
  }
}

async function submitted(api: FakeCatalogue): Promise<ISelection> {
  await api.createSelection({ name: 'n', datasets: ['p'], processing: 'frame-sum', parameters: {} });
  return api.submitSelection();
}

describe('JobModel', () => {
  it('follows a job with a Lumino poll that stands by in hidden tabs and ends with the job', async () => {
    const api = new FakeCatalogue();
    const job = new JobModel(api, await submitted(api), 5);
    expect(job.poll).toBeNull();
    const following = job.follow();
    expect(job.poll?.standby).toBe('when-hidden');
    expect(job.poll?.frequency).toMatchObject({ interval: 5, backoff: true, max: MAX_INTERVAL });
    expect((await following).status).toBe('done');
    expect(job.poll).toBeNull(); // disposed once the job has finished: nothing polls any more
  });

  it('backs off while the service cannot be reached, and goes on when it answers again', async () => {
    const api = new FlakyCatalogue(2);
    const job = new JobModel(api, await submitted(api), 5);
    const phases: string[] = [];
    const errors: (string | null)[] = [];
    job.changed.connect(() => errors.push(job.error));
    const following = job.follow();
    job.poll!.ticked.connect((_, state) => phases.push(state.phase));
    const final = await following;
    expect(final.status).toBe('done');
    expect(errors[0]).toContain('unavailable');
    expect(errors[errors.length - 1]).toBeNull();
    // A failed check is a rejected tick, which the poll follows with a growing wait
    // (its backoff), and the first answer after it a reconnection.
    expect(phases.filter(phase => phase === 'rejected')).toHaveLength(2);
    expect(phases).toContain('reconnected');
    job.dispose();
  });

  it('stops polling when disposed', async () => {
    const api = new FlakyCatalogue(1000);
    const job = new JobModel(api, await submitted(api), 5);
    void job.follow();
    await new Promise(resolve => setTimeout(resolve, 30));
    job.dispose();
    const checks = api.checks;
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(api.checks).toBe(checks);
    expect(job.poll).toBeNull();
  });
});
