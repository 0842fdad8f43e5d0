import { describe, expect, it } from 'vitest';

import { CatalogueError } from '../api';
import {
  formatLeft,
  ISessionAPI,
  ISessionStatus,
  ISessionWarning,
  SessionModel
} from '../model/lifecycle';

const T0 = Date.parse('2026-12-06T10:00:00Z');

/** An in-memory stand-in for /beamhub/session (a fake: tests/lifecycle uses the real hub
 * and Slurm), following the hub's rules: a 10-minute walltime of at most 30. */
class FakeSession implements ISessionAPI {
  limit = 10;
  max = 30;
  constructor(private readonly clock: () => number) {}

  async status(): Promise<ISessionStatus> {
    const now = this.clock();
    const end = T0 + this.limit * 60_000;
    const left = Math.max(0, Math.floor((end - now) / 1000));
    const warnings: ISessionWarning[] =
      left <= 15 * 60
        ? [{ kind: 'walltime', left_seconds: left, message: `Your server reaches its walltime in ${formatLeft(left)}` }]
        : [];
    return {
      user: 'alice',
      profile: 'Short',
      proposals: ['P1'],
      node: 'node1',
      now: new Date(now).toISOString(),
      walltime: {
        job_id: '7',
        ends_at: new Date(end).toISOString(),
        left_seconds: left,
        limit_minutes: this.limit,
        max_minutes: this.max,
        extendable_minutes: this.max - this.limit
      },
      idle: null,
      max_age: null,
      ends_at: new Date(end).toISOString(),
      ends_by: 'walltime',
      left_seconds: left,
      extend_step_minutes: 15,
      warnings,
      announcements: [
        { id: 'm1', kind: 'maintenance', message: 'Cluster down Tuesday 8-12', expires: '2026-12-08T12:00:00Z' }
      ]
    };
  }

  async extend(minutes: number): Promise<ISessionStatus> {
    if (this.limit + minutes > this.max) {
      throw new CatalogueError(`Refused: at most ${this.max - this.limit} more minutes can be added`, 400, 'session');
    }
    this.limit += minutes;
    return this.status();
  }
}

describe('SessionModel', () => {
  it('counts down from the hub answer, on the hub clock', async () => {
    let now = T0 + 60_000; // one minute into the job
    const model = new SessionModel(new FakeSession(() => now), () => now - 3_600_000); // our clock 1 h behind
    await model.refresh();
    expect(model.label()).toBe('Session: 9 min left');
    now += 4 * 60_000;
    expect(model.label()).toBe('Session: 5 min left');
  });

  it('warns once per end time, and again after an extension moves it', async () => {
    let now = T0 + 60_000;
    const fake = new FakeSession(() => now);
    const model = new SessionModel(fake, () => now);
    const warnings: string[] = [];
    const announcements: string[] = [];
    model.warning.connect((_, w) => warnings.push(w.message));
    model.announcement.connect((_, a) => announcements.push(a.message));
    await model.refresh();
    await model.refresh();
    expect(warnings).toEqual(['Your server reaches its walltime in 9 min']);
    expect(announcements).toEqual(['Cluster down Tuesday 8-12']);
    expect(model.extendBy()).toBe(15);
    expect(await model.extend()).toBe('');
    expect(model.status?.walltime?.limit_minutes).toBe(25);
    expect(warnings).toHaveLength(1); // 24 minutes left: outside the 15-minute window
    now = T0 + 14 * 60_000; // 11 minutes before the new end
    await model.refresh();
    await model.refresh();
    expect(warnings).toEqual(['Your server reaches its walltime in 9 min', 'Your server reaches its walltime in 11 min']);
  });

  it('offers only what is left to extend and shows the refusal', async () => {
    const now = T0;
    const fake = new FakeSession(() => now);
    fake.limit = 25;
    const model = new SessionModel(fake, () => now);
    await model.refresh();
    expect(model.canExtend()).toBe(true);
    expect(model.extendBy()).toBe(5);
    expect(await model.extend(10)).toBe('Refused: at most 5 more minutes can be added');
    expect(model.status?.walltime?.limit_minutes).toBe(25);
    expect(await model.extend()).toBe('');
    expect(model.canExtend()).toBe(false);
  });

  it('says so when there is no time limit, or no answer', async () => {
    const none: ISessionAPI = {
      status: async () => ({ ...(await new FakeSession(() => T0).status()), walltime: null, ends_at: null, ends_by: null, warnings: [] }),
      extend: async () => {
        throw new CatalogueError('This server has no walltime to extend', 400, 'session');
      }
    };
    const model = new SessionModel(none, () => T0);
    await model.refresh();
    expect(model.label()).toBe('Session: no time limit');
    expect(model.details()).toContain('This server has no time limit.');
    const broken = new SessionModel({ status: async () => Promise.reject(new Error('down')), extend: none.extend });
    await broken.refresh();
    expect(broken.label()).toBe('Session: unknown');
  });
});

describe('formatLeft', () => {
  it('reads like a person would say it', () => {
    expect(formatLeft(30)).toBe('under a minute');
    expect(formatLeft(12 * 60 + 5)).toBe('12 min');
    expect(formatLeft(65 * 60)).toBe('1 h 05 min');
  });
});
