/**
 * The catalogue service's JSON, as the API contract describes it (SciCat field names).
 */

export type Facet = 'beamline' | 'proposal' | 'technique' | 'type' | 'year';
export const FACETS: Facet[] = [
  'beamline',
  'proposal',
  'technique',
  'type',
  'year'
];

export type VoteValue = 'like' | 'dislike';

export interface IScientificValue {
  value: unknown;
  unit?: string;
}

export interface IDataFile {
  path: string;
  size?: number;
  time?: string | null;
}

export interface IDataset {
  pid: string;
  datasetName: string;
  description?: string;
  /** 'raw' or 'derived'; SciCat's custom types ('custom'...) are read as they are. */
  type: string;
  owner?: string;
  ownerGroup: string;
  accessGroups?: string[];
  isPublished?: boolean;
  proposalId?: string | null;
  /** SciCat v4's proposals, samples and instruments (read from SciCat's documents). */
  proposalIds?: string[];
  sampleId?: string | null;
  sampleIds?: string[];
  instrumentId?: string | null;
  instrumentIds?: string[];
  /** The beamline; absent in some SciCat documents (derived data). */
  creationLocation: string | null;
  techniques?: { name: string; pid?: string }[];
  creationTime: string;
  sourceFolder?: string;
  size?: number;
  numberOfFiles?: number;
  keywords?: string[];
  scientificMetadata?: Record<string, IScientificValue>;
  inputDatasets?: string[];
  jobParameters?: Record<string, unknown>;
  files?: IDataFile[];
  signal?: { file: string; path: string; shape: number[]; dtype: string } | null;
  likes: number;
  dislikes: number;
  myVote?: VoteValue | null;
}

export interface IFacetCount {
  value: string | number;
  count: number;
}

export interface ISearchResult {
  items: IDataset[];
  total: number;
  facets: Partial<Record<Facet, IFacetCount[]>>;
  next_cursor: string | null;
}

export interface IVoteState {
  pid: string;
  likes: number;
  dislikes: number;
  myVote: VoteValue | null;
}

export type SelectionStatus =
  | 'draft'
  | 'submitted'
  | 'running'
  | 'done'
  | 'failed';

export interface ISelection {
  id: string;
  owner: string;
  name: string;
  datasets: string[];
  processing: string;
  parameters: Record<string, unknown>;
  status: SelectionStatus;
  jobId?: string | null;
  logPath?: string | null;
  message?: string;
  derivedDatasets: string[];
  version: number;
  createdAt: string;
  updatedAt: string;
  submittedAt?: string | null;
  finishedAt?: string | null;
}

export interface IProcessingStep {
  name: string;
  title: string;
  description: string;
  techniques: string[];
  parameters_schema: Record<string, unknown>;
}

export interface IMe {
  name: string;
  groups: string[];
  staff_of: string[];
}

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
