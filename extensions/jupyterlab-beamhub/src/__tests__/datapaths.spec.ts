/** Facility paths as the user's server sees them (issue 15). */
import { describe, expect, it } from 'vitest';

import { seenPath } from '../datapaths';

const paths = [
  { source: '/gpfs/i03/p1001', path: '/home/alice/data/p1001', relative: 'data/p1001' },
  { source: '/gpfs/i03/p1001/raw', path: '/data/p1001raw', relative: '' },
  { source: '/gpfs/i22/p1002/', path: '/data/p1002', relative: '' }
];

describe('seenPath', () => {
  it('maps the longest matching facility prefix, whole path components only', () => {
    expect(seenPath('/gpfs/i03/p1001/lysozyme/x.nxs', paths)).toEqual({
      path: '/home/alice/data/p1001/lysozyme/x.nxs',
      relative: 'data/p1001/lysozyme/x.nxs',
      reachable: true
    });
    expect(seenPath('/gpfs/i03/p1001/raw/a.h5', paths).path).toBe('/data/p1001raw/a.h5');
    expect(seenPath('/gpfs/i22/p1002', paths)).toEqual({ path: '/data/p1002', relative: '', reachable: true });
    expect(seenPath('/gpfs/i03/p10010/a', paths).reachable).toBe(false);
  });

  it('keeps a path no chosen proposal holds, as unreachable', () => {
    expect(seenPath('/gpfs/i13/p3001/bone', paths)).toEqual({
      path: '/gpfs/i13/p3001/bone',
      relative: '',
      reachable: false
    });
    expect(seenPath('/gpfs/i03/p1001', [])).toEqual({ path: '/gpfs/i03/p1001', relative: '', reachable: false });
  });
});
