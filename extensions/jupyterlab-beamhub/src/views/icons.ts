import { LabIcon } from '@jupyterlab/ui-components';

const svg = (body: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">${body}</svg>`;

export const catalogueIcon = new LabIcon({
  name: 'beamhub:catalogue',
  svgstr: svg(
    '<g class="jp-icon3" fill="#616161"><path d="M4 4h10v2H4zM4 9h7v2H4zM4 14h5v2H4z"/>' +
      '<path d="M15.5 9a4.5 4.5 0 0 1 3.7 7.06l2.87 2.87-1.41 1.41-2.87-2.87A4.5 4.5 0 1 1 15.5 9zm0 2a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5z"/></g>'
  )
});

export const likeIcon = new LabIcon({
  name: 'beamhub:like',
  svgstr: svg(
    '<path class="jp-icon3" fill="#616161" d="M2 21h4V9H2v12zm20-11a2 2 0 0 0-2-2h-6.3l.95-4.57.03-.32a1.5 1.5 0 0 0-.44-1.06L13.17 1 6.59 7.59A2 2 0 0 0 6 9v10a2 2 0 0 0 2 2h9a2 2 0 0 0 1.84-1.22l3.02-7.05A2 2 0 0 0 22 12v-2z"/>'
  )
});

export const dislikeIcon = new LabIcon({
  name: 'beamhub:dislike',
  svgstr: svg(
    '<path class="jp-icon3" fill="#616161" d="M22 3h-4v12h4V3zM2 14a2 2 0 0 0 2 2h6.3l-.95 4.57-.03.32c0 .41.17.79.44 1.06L10.83 23l6.58-6.59A2 2 0 0 0 18 15V5a2 2 0 0 0-2-2H7a2 2 0 0 0-1.84 1.22l-3.02 7.05A2 2 0 0 0 2 12v2z"/>'
  )
});

export const basketIcon = new LabIcon({
  name: 'beamhub:basket',
  svgstr: svg(
    '<path class="jp-icon3" fill="#616161" d="M5.5 9 9.6 2.9l1.7 1.1L7.9 9h8.2l-3.4-5 1.7-1.1L18.5 9H22v2h-1.2l-1.7 9.2a1 1 0 0 1-1 .8H5.9a1 1 0 0 1-1-.8L3.2 11H2V9h3.5zm.9 10h11.2l1.2-8H5.2l1.2 8z"/>'
  )
});
