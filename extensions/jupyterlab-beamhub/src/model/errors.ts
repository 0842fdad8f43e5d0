import { CatalogueError } from '../api';

/** A sentence for people from whatever a request threw. */
export function describeError(error: unknown): string {
  if (error instanceof CatalogueError) {
    if (error.status === 0) {
      return error.message;
    }
    if (error.status === 401 || error.status === 403) {
      return error.message || 'You are not allowed to do this.';
    }
    if (error.status === 503 || error.status === 504) {
      const text = error.message || 'The catalogue is unavailable';
      return (/[.!?]$/.test(text) ? text : text + '.') + ' Try again in a moment.';
    }
    return error.message;
  }
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}
