import { ISignal } from '@lumino/signaling';
import { useEffect, useState } from 'react';

/** Re-render the component whenever any of the signals is emitted (pass the same
 * number of signals on every render). */
export function useSignals(...signals: ISignal<any, any>[]): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    const bump = () => setTick(tick => tick + 1);
    for (const signal of signals) {
      signal.connect(bump);
    }
    return () => {
      for (const signal of signals) {
        signal.disconnect(bump);
      }
    };
  }, signals);
}
