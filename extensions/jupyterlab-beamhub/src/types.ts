/**
 * The catalogue service's JSON, as the API contract describes it (SciCat field names).
 */

import type { components } from './api.gen';

export type Facet = 'beamline' | 'proposal' | 'technique' | 'type' | 'year';
export const FACETS: Facet[] = [
  'beamline',
  'proposal',
  'technique',
  'type',
  'year'
];

// The wire types are generated from the service's OpenAPI description (src/api.gen.ts,
// `jlpm build:api-types`; tests/extension/test_api_types.py fails when it is stale):
// written once, on the server's models.
type Schemas = components['schemas'];

export type IScientificValue = Schemas['ScientificValue'];
export type IDataFile = Schemas['DataFile'];
export type IDataset = Schemas['Dataset'];
export type IFacetCount = Schemas['FacetCount'];
export type ISearchResult = Schemas['SearchResult'];
export type IVoteState = Schemas['VoteState'];
export type VoteValue = NonNullable<IVoteState['myVote']>;
export type ISelection = Schemas['Selection'];
export type SelectionStatus = ISelection['status'];
export type IProcessingStep = Schemas['ProcessingStep'];
export type IMe = Schemas['Me'];
export type ISearchHint = Schemas['SearchHint'];
export type IFieldList = Schemas['FieldList'];
export type IMetadataField = Schemas['MetadataField'];
export type IProposal = Schemas['Proposal'];
export type IProposalMatch = Schemas['ProposalMatch'];

export interface ITemplateInfo {
  name: string;
  title: string;
  techniques: string[];
}

/** One search, as the panel holds it. */
export interface ISearchQuery {
  text: string;
  filters: Partial<Record<Facet, string[]>>;
  conditions: string[];
  sort: string;
  limit: number;
  cursor?: string | null;
  facets: boolean;
}

export const SORTS: { value: string; label: string }[] = [
  { value: '-creationTime', label: 'Newest first' },
  { value: 'creationTime', label: 'Oldest first' },
  { value: 'relevance', label: 'Best match' },
  { value: 'datasetName', label: 'Name A–Z' },
  { value: '-datasetName', label: 'Name Z–A' },
  { value: '-size', label: 'Largest first' },
  { value: 'size', label: 'Smallest first' },
  { value: '-likes', label: 'Most liked' }
];
