/**
 * One way to ask this server's beamhub routes (/beamhub/sharing, /beamhub/session): the
 * JSON answer, or a {@link CatalogueError} carrying the server's message and status (the
 * server relays the hub's reason for a refusal). Used by the sharing, session and role
 * clients.
 */
import { ServerConnection } from '@jupyterlab/services';

import { CatalogueError } from '../api';

export async function serverRequest(
  settings: ServerConnection.ISettings,
  path: string,
  init: RequestInit = {},
  code = 'server'
): Promise<any> {
  const url = settings.baseUrl.replace(/\/$/, '') + path;
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new CatalogueError('This server cannot be reached.', 0, 'network', error);
  }
  const text = await response.text();
  let body: any = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { message: text };
  }
  if (!response.ok) {
    throw new CatalogueError(
      body.message || `The server answered ${response.status}.`,
      response.status,
      body.code || code
    );
  }
  return body;
}
