// Generated from the catalogue service's OpenAPI description by scripts/api-types.mjs:
// do not edit (tests/extension/test_api_types.py checks it is current).

export interface paths {
    "/beamlines/{beamline}/overview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A beamline's voted datasets with every vote, its selections and jobs, its templates' opens
         * @description Staff of the beamline (and operators) only: the datasets of the beamline that have votes, with who voted what and their comments; the selections holding its datasets with their status; how often each of its templates was opened.
         */
        get: operations["beamline_overview"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/datasets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search the datasets you may see
         * @description Filters, free text, metadata conditions, facet counts (over exactly what you may see) and keyset pagination (next_cursor).
         */
        get: operations["search"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/datasets/{pid}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One dataset, with its vote counts and your vote */
        get: operations["get_dataset"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/datasets/{pid}/derived": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Datasets derived from this one
         * @description Lineage downwards; upwards is the dataset's inputDatasets.
         */
        get: operations["derived_from"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/datasets/{pid}/preview.png": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A PNG of the dataset's default plot
         * @description Carries an ETag and 'Cache-Control: private'; send If-None-Match for a 304.
         */
        get: operations["preview"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/datasets/{pid}/similar": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A dataset's similarity group: alike datasets, their average quality and like ratio
         * @description Datasets of the same technique whose frames look alike, among those you may see.
         */
        get: operations["similarity_group"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/datasets/{pid}/suggestion": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A dataset's suggestion, explained */
        get: operations["suggestion"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/datasets/{pid}/vote": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Like or dislike a dataset (idempotent) */
        put: operations["set_vote"];
        post?: never;
        /** Clear your vote (idempotent) */
        delete: operations["clear_vote"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/datasets/{pid}/votes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every vote on a dataset (beamline staff only) */
        get: operations["dataset_votes"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/fields": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Metadata fields of the datasets you may see
         * @description Each scientific-metadata field of your visible datasets (the newest 2,000): how many have it, its kinds of value, its units with counts and value ranges. The panel offers them as autocomplete for conditions.
         */
        get: operations["fields"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Service and store health (no authentication) */
        get: operations["health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/labels": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The votes you may export as training labels, one row per vote
         * @description Operators: every vote; beamline staff: the votes on their beamlines' datasets and their own; others: their own. Voters are pseudonymised unless an operator asks for names; numeric scientific metadata (SI base units) and frame-score quality as columns. beamhub labels export writes the same as CSV or Parquet.
         */
        get: operations["labels"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who you are to the catalogue */
        get: operations["me"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/me/proposals": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your proposals */
        get: operations["my_proposals"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/me/votes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your votes, newest first */
        get: operations["my_votes"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This description (no authentication) */
        get: operations["openapi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/processing": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Processing steps and their parameters' JSON Schema */
        get: operations["processing"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/selections": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your selections, newest first */
        get: operations["list_selections"];
        put?: never;
        /** Create a draft selection */
        post: operations["create_selection"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/selections/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One of your selections */
        get: operations["get_selection"];
        put?: never;
        post?: never;
        /** Delete a selection (not while it runs) */
        delete: operations["delete_selection"];
        options?: never;
        head?: never;
        /** Edit a draft selection */
        patch: operations["update_selection"];
        trace?: never;
    };
    "/selections/{id}/submit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit a draft selection for processing
         * @description Starts the job as you; the selection then moves submitted -> running -> done | failed (poll GET /selections/{id}); done registers derived datasets. Only a draft (else 409 illegal_transition) with at least one dataset, a processing step and parameters that step accepts (else 400 invalid_input) can be submitted; every dataset must still be visible to you and have data to process (400).
         */
        post: operations["submit_selection"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/suggestions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Datasets worth processing, suggested from the votes
         * @description The datasets matching the search (filters as GET /datasets) ranked by a model of their technique (and beamline) trained only on the votes you may see, each with a score (0-1) and why: the most similar voted datasets and the weightiest features. With too few votes, score is null and reason says so. Suggestions only: nothing is selected for you.
         */
        get: operations["suggestions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/suggestions/parameters": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Processing parameters chosen for similar liked datasets
         * @description For each parameter, the value most often chosen in the derived datasets of that step made from the liked datasets (that you may see) most similar to the given ones, and which they were.
         */
        get: operations["suggested_parameters"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/templates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Templates offered to you, newest versions
         * @description The facility-wide templates shipped with beamhub (beamline 'facility') and those published for the beamlines of your proposals (and those you are staff of); without notebooks. Retired ones are left out unless include_retired (staff).
         */
        get: operations["list_templates"];
        put?: never;
        /**
         * Publish a notebook as a beamline template's next version
         * @description Staff of the beamline only (else 403). Outputs are cleared; who published and when are recorded. Publishing under an existing name makes its next version.
         */
        post: operations["publish_template"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/templates/{beamline}/{template}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A template with its notebook */
        get: operations["get_template"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/templates/{beamline}/{template}/diff": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A unified diff of two versions (staff of the beamline) */
        get: operations["template_diff"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/templates/{beamline}/{template}/opened": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Count an opening of a template (for its beamline's staff) */
        post: operations["template_opened"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/templates/{beamline}/{template}/retire": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Retire a template: users no longer get it (staff; a rollback brings it back) */
        post: operations["retire_template"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/templates/{beamline}/{template}/rollback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Publish an earlier version again, as a new version (staff) */
        post: operations["rollback_template"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/templates/{beamline}/{template}/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every version of a template, newest first (staff of the beamline) */
        get: operations["template_versions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/users/{name}/proposals": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Proposals a user may mount (hub only)
         * @description For the hub's spawner: needs a token with the custom:beamhub:proposals scope.
         */
        get: operations["user_proposals"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/version": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Service and API version (no authentication) */
        get: operations["version"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** BeamlineOverview */
        BeamlineOverview: {
            /** Beamline */
            beamline: string;
            /** Datasets */
            datasets: components["schemas"]["VotedDataset"][];
            /** Selections */
            selections: components["schemas"]["BeamlineSelection"][];
            /** Template Opens */
            template_opens: {
                [key: string]: number;
            };
        };
        /** BeamlineSelection */
        BeamlineSelection: {
            /**
             * Createdat
             * Format: date-time
             */
            createdAt: string;
            /** Datasets */
            datasets: number;
            /** Finishedat */
            finishedAt: string | null;
            /** Id */
            id: string;
            /** Jobid */
            jobId: string | null;
            /** Name */
            name: string;
            /** On Beamline */
            on_beamline: number;
            /** Owner */
            owner: string;
            /** Processing */
            processing: string;
            /** Status */
            status: string;
        };
        /**
         * DataFile
         * @description One file of a dataset (beamhub; SciCat keeps these in its origdatablocks).
         */
        DataFile: {
            /** Path */
            path: string;
            /**
             * Size
             * @default 0
             */
            size: number;
            /**
             * Time
             * @default null
             */
            time: string | null;
        };
        /**
         * Dataset
         * @description A SciCat dataset.
         *
         *     Access: visible to identities in ``ownerGroup`` or ``accessGroups``, to everyone
         *     when ``isPublished``, and to staff of ``creationLocation`` (the beamline).
         */
        Dataset: {
            /**
             * Accessgroups
             * @default []
             */
            accessGroups: string[];
            /**
             * Createdat
             * @default null
             */
            createdAt: string | null;
            /**
             * Creationlocation
             * @default null
             */
            creationLocation: string | null;
            /**
             * Creationtime
             * Format: date-time
             */
            creationTime: string;
            /** Datasetname */
            datasetName: string;
            /**
             * Description
             * @default
             */
            description: string;
            /**
             * Dislikes
             * @default 0
             */
            dislikes: number;
            /**
             * Files
             * @default []
             */
            files: components["schemas"]["DataFile"][];
            /**
             * Inputdatasets
             * @default []
             */
            inputDatasets: string[];
            /**
             * Instrumentid
             * @default null
             */
            instrumentId: string | null;
            /**
             * Instrumentids
             * @default []
             */
            instrumentIds: string[];
            /**
             * Ispublished
             * @default false
             */
            isPublished: boolean;
            /**
             * Jobparameters
             * @default {}
             */
            jobParameters: {
                [key: string]: unknown;
            };
            /**
             * Keywords
             * @default []
             */
            keywords: string[];
            /**
             * Likes
             * @default 0
             */
            likes: number;
            /**
             * Mycomment
             * @default
             */
            myComment: string;
            /**
             * Myvote
             * @default null
             */
            myVote: ("like" | "dislike") | null;
            /**
             * Numberoffiles
             * @default 0
             */
            numberOfFiles: number;
            /**
             * Owner
             * @default
             */
            owner: string;
            /** Ownergroup */
            ownerGroup: string;
            /** Pid */
            pid: string;
            /**
             * Proposalid
             * @default null
             */
            proposalId: string | null;
            /**
             * Proposalids
             * @default []
             */
            proposalIds: string[];
            /**
             * Sampleid
             * @default null
             */
            sampleId: string | null;
            /**
             * Sampleids
             * @default []
             */
            sampleIds: string[];
            /**
             * Scientificmetadata
             * @default {}
             */
            scientificMetadata: {
                [key: string]: components["schemas"]["ScientificValue"];
            };
            /** @default null */
            signal: components["schemas"]["SignalInfo"] | null;
            /**
             * Size
             * @default 0
             */
            size: number;
            /**
             * Sourcefolder
             * @default
             */
            sourceFolder: string;
            /**
             * Techniques
             * @default []
             */
            techniques: components["schemas"]["Technique"][];
            /**
             * Type
             * @default raw
             */
            type: string;
            /**
             * Updatedat
             * @default null
             */
            updatedAt: string | null;
            /**
             * Usedsoftware
             * @default []
             */
            usedSoftware: string[];
        };
        /**
         * ErrorBody
         * @description Every error answer: ``code`` is stable (see the API description), ``message`` is
         *     for people, ``details`` (optional) lists the problems, e.g. one per invalid field.
         */
        ErrorBody: {
            /** Code */
            code: string;
            /**
             * Details
             * @default null
             */
            details: unknown;
            /** Message */
            message: string;
        };
        /** FacetCount */
        FacetCount: {
            /** Count */
            count: number;
            /** Value */
            value: string | number;
        };
        /**
         * FeatureWeight
         * @description How much one feature moved the score (coefficient times standardised value).
         */
        FeatureWeight: {
            /** Contribution */
            contribution: number;
            /**
             * Direction
             * @enum {string}
             */
            direction: "for" | "against";
            /** Feature */
            feature: string;
        };
        /**
         * FieldList
         * @description The fields of the datasets the caller may see, most common first; ``complete``
         *     is false when only the newest ``scanned`` datasets were read.
         */
        FieldList: {
            /** Complete */
            complete: boolean;
            /** Fields */
            fields: components["schemas"]["MetadataField"][];
            /** Scanned */
            scanned: number;
        };
        /**
         * FieldUnit
         * @description One unit a metadata field's numbers are given in: how many datasets, and the
         *     smallest and largest value in that unit.
         */
        FieldUnit: {
            /** Count */
            count: number;
            /** Max */
            max: number;
            /** Min */
            min: number;
            /** Unit */
            unit: string;
        };
        /** GroupMember */
        GroupMember: {
            /** Datasetname */
            datasetName: string;
            /** Pid */
            pid: string;
        };
        /** Health */
        Health: {
            /**
             * Message
             * @default
             */
            message: string;
            /**
             * Status
             * @enum {string}
             */
            status: "ok" | "degraded";
            /**
             * Store
             * @enum {string}
             */
            store: "ok" | "unavailable";
        };
        /** LabelsParams */
        LabelsParams: {
            /**
             * Names
             * @description Voters' user names instead of pseudonyms (operators only).
             * @default false
             */
            names: boolean;
        };
        /**
         * LabelsTable
         * @description One row per vote the caller may export (see README.md, "Labels for machine learning").
         */
        LabelsTable: {
            /** Columns */
            columns: string[];
            /** Count */
            count: number;
            /**
             * Rows
             * @description Values in the order of columns; null where a dataset has none.
             */
            rows: unknown[][];
        };
        /**
         * Me
         * @description Who the caller is to the catalogue (from the hub, never from the request).
         */
        Me: {
            /** Groups */
            groups: string[];
            /** Name */
            name: string;
            /** Staff Of */
            staff_of: string[];
        };
        /**
         * MetadataField
         * @description A scientific-metadata field of the caller's datasets: its name as conditions
         *     write it, how many datasets have it, its kinds of value and its units.
         */
        MetadataField: {
            /** Count */
            count: number;
            /** Kinds */
            kinds: ("number" | "string" | "boolean")[];
            /** Name */
            name: string;
            /**
             * Units
             * @default []
             */
            units: components["schemas"]["FieldUnit"][];
        };
        /**
         * ParameterParams
         * @description Query parameters of ``GET /suggestions/parameters``.
         */
        ParameterParams: {
            /** Pid */
            pid: string[];
            /**
             * Processing
             * @enum {string}
             */
            processing: "azimuthal-integration" | "frame-score" | "notebook" | "tomo-reconstruction" | "xas-normalisation";
        };
        /** @description Free JSON whose object keys (at every level) are 1-200 characters, not starting with '$', without '.' or NUL; nested at most 10 deep; integers within 64 bits. */
        ParameterValue: unknown;
        /** PreviewParams */
        PreviewParams: {
            /**
             * Frame
             * @description A stack's frame to draw (index along its first axis); default: the middle one. A frame past the stack's end is answered 422 naming how many frames there are.
             * @default null
             */
            frame: number | null;
            /**
             * Size
             * @default thumb
             * @enum {string}
             */
            size: "thumb" | "large";
        };
        /**
         * ProcessingStep
         * @description A processing step a selection can be submitted to.
         */
        ProcessingStep: {
            /**
             * Accepts
             * @description What it takes, in one sentence for people (the start of its refusal).
             */
            accepts: string;
            /** Description */
            description: string;
            /**
             * Dimensions
             * @description Signal dimensions it takes (1 a curve, 2 an image, 3 a stack); a dataset without a recorded signal is checked by the job.
             */
            dimensions: number[];
            /** Name */
            name: string;
            /**
             * Parameters Schema
             * @description JSON Schema of the step's parameters.
             */
            parameters_schema: {
                [key: string]: unknown;
            };
            /**
             * Techniques
             * @description Techniques whose datasets it takes (a dataset needs one of them); empty: any technique.
             */
            techniques: string[];
            /** Title */
            title: string;
        };
        /**
         * Proposal
         * @description A proposal (an experiment's allocation): its group decides who sees its data.
         *
         *     ``members`` and ``beamline``, ``dataPath`` are beamhub's: the identity provider's
         *     group members, the beamline, and the directory holding the proposal's data (what
         *     the spawner mounts read-only).
         */
        Proposal: {
            /**
             * Abstract
             * @default
             */
            abstract: string;
            /**
             * Accessgroups
             * @default []
             */
            accessGroups: string[];
            /**
             * Beamline
             * @default null
             */
            beamline: string | null;
            /**
             * Datapath
             * @default
             */
            dataPath: string;
            /**
             * Endtime
             * @default null
             */
            endTime: string | null;
            /**
             * Members
             * @default []
             */
            members: string[];
            /** Ownergroup */
            ownerGroup: string;
            /** Proposalid */
            proposalId: string;
            /**
             * Starttime
             * @default null
             */
            startTime: string | null;
            /**
             * Title
             * @default
             */
            title: string;
        };
        /**
         * ProposalMatch
         * @description A proposal the caller is in whose title (or id) holds the search words.
         */
        ProposalMatch: {
            /** Proposalid */
            proposalId: string;
            /** Title */
            title: string;
        };
        /**
         * ScientificValue
         * @description One scientific-metadata entry: ``{"value": 293.2, "unit": "K"}``.
         *
         *     Numeric values are searchable with ``<, <=, =, >=, >, !=`` and, where the unit is
         *     known, converted (a condition in ``degC`` finds values stored in ``K``). Strings and
         *     booleans are searchable with ``=`` and ``!=``. Lists (for example a shape) are
         *     stored and shown but not searched.
         */
        ScientificValue: {
            /**
             * Unit
             * @default
             */
            unit: string;
            /** Value */
            value: boolean | number | string | (number | string)[];
        };
        /**
         * SearchHint
         * @description Why a search found nothing: a ``term`` of the query (a text word, a field name or
         *     a unit) that no visible dataset has, said in ``message``, with ``suggestions`` (the
         *     nearest field names, or the field's units) when there are some.
         */
        SearchHint: {
            /**
             * Kind
             * @enum {string}
             */
            kind: "text" | "field" | "unit";
            /** Message */
            message: string;
            /**
             * Suggestions
             * @default []
             */
            suggestions: string[];
            /** Term */
            term: string;
        };
        /**
         * SearchParams
         * @description Query parameters of ``GET /datasets``. Repeat a list parameter for several values
         *     (``?beamline=i03&beamline=i04``): values of one filter are alternatives, different
         *     filters must all hold.
         */
        SearchParams: {
            /**
             * Beamline
             * @default []
             */
            beamline: string[];
            /**
             * Condition
             * @description Scientific-metadata condition 'name op value [unit]', op one of < <= = >= > != (< <= >= > take a number: at most 20 digits before the point, exponent at most 289; = and != also true, false, a quoted string or a word), e.g. 'temperature < 200 K'; a unit is an expression of at most 8 terms joined by '*', '/' or spaces (a term: a name, a number of up to 6 digits and 6 decimals, or one parenthesised group of such; names and groups may take a power '**' or '^' of at most 12), or a literal of at most 64 characters without * ^ ( ), superscript digits, quotes, $ { } or NUL. The pattern states it exactly.
             * @default []
             */
            condition: string[];
            /**
             * Created After
             * @description Inclusive lower bound on creationTime: ISO 8601 date-time (UTC if no zone).
             * @default null
             */
            created_after: string | null;
            /**
             * Created Before
             * @description Exclusive upper bound on creationTime: ISO 8601 date-time (UTC if no zone).
             * @default null
             */
            created_before: string | null;
            /**
             * Cursor
             * @description next_cursor of the previous page, with the same other parameters.
             * @default null
             */
            cursor: string | null;
            /**
             * Facets
             * @description Whether to compute facet counts (the first page usually wants them).
             * @default true
             */
            facets: boolean;
            /**
             * Keyword
             * @default []
             */
            keyword: string[];
            /**
             * Limit
             * @default 25
             */
            limit: number;
            /**
             * My Vote
             * @description Only datasets the caller liked, disliked, voted on at all, or not voted on.
             * @default null
             */
            my_vote: ("like" | "dislike" | "any" | "none") | null;
            /**
             * Proposal
             * @description Proposal ids (SciCat's may hold '/'); a dataset matches by proposalId or proposalIds.
             * @default []
             */
            proposal: string[];
            /**
             * Sort
             * @default -creationTime
             * @enum {string}
             */
            sort: "-creationTime" | "creationTime" | "datasetName" | "-datasetName" | "size" | "-size" | "-likes" | "relevance";
            /**
             * Technique
             * @default []
             */
            technique: string[];
            /**
             * Text
             * @description Free text: every word must occur; the last also as a prefix.
             * @default
             */
            text: string;
            /**
             * Type
             * @description raw, derived, or a site's custom SciCat type (the type facet lists them).
             * @default []
             */
            type: string[];
            /**
             * Year
             * @default []
             */
            year: number[];
        };
        /**
         * SearchResult
         * @description A page of results: ``items`` in sort order, ``total`` matching datasets the
         *     caller may see, ``facets`` (empty when not asked for) and ``next_cursor`` (None on
         *     the last page). ``hints`` (the service fills them when nothing matched) name what
         *     no visible dataset has; ``proposals`` are the caller's proposals titled so.
         */
        SearchResult: {
            /**
             * Facets
             * @default {}
             */
            facets: {
                [key: string]: components["schemas"]["FacetCount"][];
            };
            /**
             * Hints
             * @default []
             */
            hints: components["schemas"]["SearchHint"][];
            /** Items */
            items: components["schemas"]["Dataset"][];
            /**
             * Next Cursor
             * @default null
             */
            next_cursor: string | null;
            /**
             * Proposals
             * @default []
             */
            proposals: components["schemas"]["ProposalMatch"][];
            /** Total */
            total: number;
        };
        /**
         * Selection
         * @description A fog-filter selection: datasets worth processing, with the parameters to use.
         *
         *     Editable (name, datasets, processing, parameters) only while ``draft``. ``version``
         *     increases with every change and can guard concurrent edits.
         */
        Selection: {
            /**
             * Createdat
             * Format: date-time
             */
            createdAt: string;
            /**
             * Datasets
             * @default []
             */
            datasets: string[];
            /**
             * Deriveddatasets
             * @default []
             */
            derivedDatasets: string[];
            /**
             * Finishedat
             * @default null
             */
            finishedAt: string | null;
            /** Id */
            id: string;
            /**
             * Jobid
             * @default null
             */
            jobId: string | null;
            /**
             * Logpath
             * @default null
             */
            logPath: string | null;
            /**
             * Message
             * @default
             */
            message: string;
            /** Name */
            name: string;
            /** Owner */
            owner: string;
            /**
             * Parameters
             * @default {}
             */
            parameters: {
                [key: string]: unknown;
            };
            /**
             * Processing
             * @default
             */
            processing: string;
            /**
             * Status
             * @default draft
             * @enum {string}
             */
            status: "draft" | "submitted" | "running" | "done" | "failed";
            /**
             * Submittedat
             * @default null
             */
            submittedAt: string | null;
            /**
             * Updatedat
             * Format: date-time
             */
            updatedAt: string;
            /**
             * Version
             * @default 1
             */
            version: number;
        };
        /**
         * SelectionCreate
         * @description ``POST /selections``: a new draft selection of datasets the caller can see.
         */
        SelectionCreate: {
            /**
             * Datasets
             * @default []
             */
            datasets: string[];
            /** Name */
            name: string;
            /**
             * Parameters
             * @description The processing step's parameters (see /processing); free JSON, nested at most 10 deep, integers within 64 bits.
             * @default {}
             */
            parameters: {
                [key: string]: components["schemas"]["ParameterValue"];
            };
            /**
             * Processing
             * @default
             * @enum {string}
             */
            processing: "" | "azimuthal-integration" | "frame-score" | "notebook" | "tomo-reconstruction" | "xas-normalisation";
        };
        /**
         * SelectionPatch
         * @description ``PATCH /selections/{id}``: edit a draft; absent fields are left as they are.
         */
        SelectionPatch: {
            /**
             * Add
             * @default []
             */
            add: string[];
            /**
             * Expected Version
             * @description Refuse the edit (409 conflict) unless the selection is at this version.
             * @default null
             */
            expected_version: number | null;
            /**
             * Name
             * @default null
             */
            name: string | null;
            /**
             * Parameters
             * @default null
             */
            parameters: {
                [key: string]: components["schemas"]["ParameterValue"];
            } | null;
            /**
             * Processing
             * @default null
             */
            processing: ("" | "azimuthal-integration" | "frame-score" | "notebook" | "tomo-reconstruction" | "xas-normalisation") | null;
            /**
             * Remove
             * @default []
             */
            remove: string[];
        };
        /**
         * SignalInfo
         * @description The default plottable signal found at ingestion (beamhub).
         */
        SignalInfo: {
            /**
             * Axes
             * @default []
             */
            axes: string[];
            /** Dtype */
            dtype: string;
            /**
             * Entry
             * @default
             */
            entry: string;
            /** File */
            file: string;
            /** Path */
            path: string;
            /** Shape */
            shape: number[];
        };
        /**
         * SimilarityGroup
         * @description The datasets of the same technique, among those the caller may see, whose frames look
         *     alike, with their average frame score and like ratio (null without votes).
         */
        SimilarityGroup: {
            /** Averageframescore */
            averageFrameScore: number;
            /** Likeratio */
            likeRatio: number | null;
            /** Members */
            members: components["schemas"]["GroupMember"][];
            /** Pid */
            pid: string;
            /** Size */
            size: number;
            /** Technique */
            technique: string;
            /** Votes */
            votes: number;
        };
        /** StaffVote */
        StaffVote: {
            /** Comment */
            comment: string;
            /**
             * Updatedat
             * Format: date-time
             */
            updatedAt: string;
            /** User */
            user: string;
            /** Value */
            value: string;
        };
        /**
         * SuggestedNeighbour
         * @description A voted dataset the caller may see, near this one in the model's feature space.
         */
        SuggestedNeighbour: {
            /** Datasetname */
            datasetName: string;
            /** Dislikes */
            dislikes: number;
            /** Likes */
            likes: number;
            /** Pid */
            pid: string;
            /** Similarity */
            similarity: number;
        };
        /**
         * SuggestedParameters
         * @description Parameters pre-filled from what was chosen for the most similar liked datasets the
         *     caller may see; ``sources`` names them per parameter. Empty ``values`` with a
         *     ``reason`` when there is nothing to learn from.
         */
        SuggestedParameters: {
            /**
             * Label
             * @default suggestion
             * @constant
             */
            label: "suggestion";
            /** Processing */
            processing: string;
            /** Reason */
            reason: string;
            /** Sources */
            sources: {
                [key: string]: string[];
            };
            /** Values */
            values: {
                [key: string]: unknown;
            };
        };
        /**
         * SuggestionItem
         * @description A suggestion, never applied by itself: the predicted chance (0-1) that the caller's
         *     group would like the dataset, with why; ``score`` is null with ``reason`` saying why
         *     (e.g. not enough votes yet).
         */
        SuggestionItem: {
            /**
             * @description The dataset as the caller sees it (GET /suggestions).
             * @default null
             */
            dataset: components["schemas"]["Dataset"] | null;
            /**
             * Features
             * @default []
             */
            features: components["schemas"]["FeatureWeight"][];
            /**
             * Label
             * @default suggestion
             * @constant
             */
            label: "suggestion";
            /**
             * Neighbours
             * @default []
             */
            neighbours: components["schemas"]["SuggestedNeighbour"][];
            /** Pid */
            pid: string;
            /** Reason */
            reason: string;
            /** Score */
            score: number | null;
            /** Technique */
            technique: string;
        };
        /**
         * SuggestionPage
         * @description Part of the ranking of the datasets matching a search, best first.
         */
        SuggestionPage: {
            /** Items */
            items: components["schemas"]["SuggestionItem"][];
            /**
             * Label
             * @default suggestion
             * @constant
             */
            label: "suggestion";
            /** Offset */
            offset: number;
            /**
             * Scored
             * @description How many of them have a score.
             */
            scored: number;
            /**
             * Total
             * @description Datasets ranked (matching, visible, within min_score; at most 5000).
             */
            total: number;
        };
        /**
         * SuggestParams
         * @description Query parameters of ``GET /suggestions``: the search's filters (as GET /datasets) and which part of the ranking to return.
         */
        SuggestParams: {
            /**
             * Beamline
             * @default []
             */
            beamline: string[];
            /**
             * Condition
             * @description Scientific-metadata condition 'name op value [unit]', op one of < <= = >= > != (< <= >= > take a number: at most 20 digits before the point, exponent at most 289; = and != also true, false, a quoted string or a word), e.g. 'temperature < 200 K'; a unit is an expression of at most 8 terms joined by '*', '/' or spaces (a term: a name, a number of up to 6 digits and 6 decimals, or one parenthesised group of such; names and groups may take a power '**' or '^' of at most 12), or a literal of at most 64 characters without * ^ ( ), superscript digits, quotes, $ { } or NUL. The pattern states it exactly.
             * @default []
             */
            condition: string[];
            /**
             * Created After
             * @description Inclusive lower bound on creationTime: ISO 8601 date-time (UTC if no zone).
             * @default null
             */
            created_after: string | null;
            /**
             * Created Before
             * @description Exclusive upper bound on creationTime: ISO 8601 date-time (UTC if no zone).
             * @default null
             */
            created_before: string | null;
            /**
             * Keyword
             * @default []
             */
            keyword: string[];
            /**
             * Limit
             * @default 25
             */
            limit: number;
            /**
             * Min Score
             * @description 'Worth processing': only datasets scored at least this (unscored ones left out).
             * @default null
             */
            min_score: number | null;
            /**
             * My Vote
             * @description Only datasets the caller liked, disliked, voted on at all, or not voted on.
             * @default null
             */
            my_vote: ("like" | "dislike" | "any" | "none") | null;
            /**
             * Offset
             * @description Skip this many of the ranking.
             * @default 0
             */
            offset: number;
            /**
             * Proposal
             * @description Proposal ids (SciCat's may hold '/'); a dataset matches by proposalId or proposalIds.
             * @default []
             */
            proposal: string[];
            /**
             * Technique
             * @default []
             */
            technique: string[];
            /**
             * Text
             * @description Free text: every word must occur; the last also as a prefix.
             * @default
             */
            text: string;
            /**
             * Type
             * @description raw, derived, or a site's custom SciCat type (the type facet lists them).
             * @default []
             */
            type: string[];
            /**
             * Year
             * @default []
             */
            year: number[];
        };
        /**
         * Technique
         * @description A SciCat technique: ``{"name": "MX", "pid": "..."}`` (pid optional).
         */
        Technique: {
            /** Name */
            name: string;
            /**
             * Pid
             * @default
             */
            pid: string;
        };
        /** TemplateDiff */
        TemplateDiff: {
            /** Beamline */
            beamline: string;
            /**
             * Diff
             * @description A unified diff of the two versions' settings and cell sources.
             */
            diff: string;
            /** From Version */
            from_version: number;
            /** Name */
            name: string;
            /** To Version */
            to_version: number;
        };
        /** TemplateDiffParams */
        TemplateDiffParams: {
            /** From Version */
            from_version: number;
            /**
             * To Version
             * @description Default: the latest.
             * @default null
             */
            to_version: number | null;
        };
        /** TemplateGetParams */
        TemplateGetParams: {
            /**
             * Version
             * @description A given version (staff of the beamline only); default the latest.
             * @default null
             */
            version: number | null;
        };
        /** TemplateListParams */
        TemplateListParams: {
            /**
             * Include Retired
             * @description Also retired templates (staff of their beamline only).
             * @default false
             */
            include_retired: boolean;
        };
        /**
         * TemplatePublish
         * @description ``POST /templates``: publish a notebook as the next version of a beamline's template
         *     (staff of that beamline only).
         */
        TemplatePublish: {
            /**
             * Accepts
             * @description Dataset kinds the template reads: 'raw', or 'derived:<processing step>'.
             * @default [
             *       "raw"
             *     ]
             */
            accepts: string[];
            /** Beamline */
            beamline: string;
            /** Change Note */
            change_note: string;
            /**
             * Description
             * @default
             */
            description: string;
            /**
             * Name
             * @description The template's name within the beamline; publishing under an existing name makes its next version.
             */
            name: string;
            /**
             * Notebook
             * @description A valid nbformat 4 notebook (JSON), at most 921600 bytes with outputs cleared; outputs are cleared when published.
             */
            notebook: {
                [key: string]: unknown;
            };
            /** Techniques */
            techniques: string[];
            /** Title */
            title: string;
        };
        /**
         * TemplateRetire
         * @description ``POST .../retire``: users no longer get the template (a rollback brings it back).
         */
        TemplateRetire: {
            /**
             * Change Note
             * @default
             */
            change_note: string;
        };
        /**
         * TemplateRollback
         * @description ``POST .../rollback``: publish an earlier version's content again, as a new version.
         */
        TemplateRollback: {
            /**
             * Change Note
             * @default
             */
            change_note: string;
            /** Version */
            version: number;
        };
        /**
         * TemplateVersion
         * @description One version of a template, as stored. ``notebook`` is left out of listings.
         */
        TemplateVersion: {
            /** Accepts */
            accepts: string[];
            /** Beamline */
            beamline: string;
            /** Change Note */
            change_note: string;
            /**
             * Description
             * @default
             */
            description: string;
            /** Name */
            name: string;
            /**
             * Notebook
             * @default null
             */
            notebook: {
                [key: string]: unknown;
            } | null;
            /**
             * Publishedat
             * Format: date-time
             */
            publishedAt: string;
            /** Publishedby */
            publishedBy: string;
            /**
             * Retired
             * @default false
             */
            retired: boolean;
            /**
             * Sha256
             * @description SHA-256 of the notebook's canonical JSON: equal content, equal hash.
             */
            sha256: string;
            /**
             * Shipped
             * @description A facility-wide template shipped with beamhub (no versions).
             * @default false
             */
            shipped: boolean;
            /** Techniques */
            techniques: string[];
            /** Title */
            title: string;
            /** Version */
            version: number;
        };
        /** Version */
        Version: {
            /**
             * Api
             * @default v1
             * @constant
             */
            api: "v1";
            /** Version */
            version: string;
        };
        /**
         * Vote
         * @description One user's judgement of one dataset: a training label, so it must be exact.
         */
        Vote: {
            /**
             * Comment
             * @default
             */
            comment: string;
            /**
             * Createdat
             * Format: date-time
             */
            createdAt: string;
            /** Pid */
            pid: string;
            /**
             * Updatedat
             * Format: date-time
             */
            updatedAt: string;
            /** User */
            user: string;
            /**
             * Value
             * @enum {string}
             */
            value: "like" | "dislike";
        };
        /**
         * VoteBody
         * @description ``PUT /datasets/{pid}/vote``: set (or change) the caller's vote.
         */
        VoteBody: {
            /**
             * Comment
             * @default
             */
            comment: string;
            /**
             * Value
             * @enum {string}
             */
            value: "like" | "dislike";
        };
        /** VotedDataset */
        VotedDataset: {
            /** Datasetname */
            datasetName: string;
            /** Dislikes */
            dislikes: number;
            /** Likes */
            likes: number;
            /** Pid */
            pid: string;
            /** Proposalid */
            proposalId: string | null;
            /** Technique */
            technique: string;
            /** Votes */
            votes: components["schemas"]["StaffVote"][];
        };
        /**
         * VoteState
         * @description A dataset's vote counts and the caller's own vote, after a vote was set.
         */
        VoteState: {
            /** Dislikes */
            dislikes: number;
            /** Likes */
            likes: number;
            /**
             * Mycomment
             * @default
             */
            myComment: string;
            /**
             * Myvote
             * @default null
             */
            myVote: ("like" | "dislike") | null;
            /** Pid */
            pid: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    beamline_overview: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A beamline ('facility' for the templates shipped with beamhub). */
                beamline: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BeamlineOverview"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    search: {
        parameters: {
            query?: {
                beamline?: string[];
                /** @description Scientific-metadata condition 'name op value [unit]', op one of < <= = >= > != (< <= >= > take a number: at most 20 digits before the point, exponent at most 289; = and != also true, false, a quoted string or a word), e.g. 'temperature < 200 K'; a unit is an expression of at most 8 terms joined by '*', '/' or spaces (a term: a name, a number of up to 6 digits and 6 decimals, or one parenthesised group of such; names and groups may take a power '**' or '^' of at most 12), or a literal of at most 64 characters without * ^ ( ), superscript digits, quotes, $ { } or NUL. The pattern states it exactly. */
                condition?: string[];
                /** @description Inclusive lower bound on creationTime: ISO 8601 date-time (UTC if no zone). */
                created_after?: string | null;
                /** @description Exclusive upper bound on creationTime: ISO 8601 date-time (UTC if no zone). */
                created_before?: string | null;
                /** @description next_cursor of the previous page, with the same other parameters. */
                cursor?: string | null;
                /** @description Whether to compute facet counts (the first page usually wants them). */
                facets?: boolean;
                keyword?: string[];
                limit?: number;
                /** @description Only datasets the caller liked, disliked, voted on at all, or not voted on. */
                my_vote?: ("like" | "dislike" | "any" | "none") | null;
                /** @description Proposal ids (SciCat's may hold '/'); a dataset matches by proposalId or proposalIds. */
                proposal?: string[];
                sort?: "-creationTime" | "creationTime" | "datasetName" | "-datasetName" | "size" | "-size" | "-likes" | "relevance";
                technique?: string[];
                /** @description Free text: every word must occur; the last also as a prefix. */
                text?: string;
                /** @description raw, derived, or a site's custom SciCat type (the type facet lists them). */
                type?: string[];
                year?: number[];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SearchResult"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    get_dataset: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A dataset pid, percent-encoded ('/' as %2F). */
                pid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Dataset"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    derived_from: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A dataset pid, percent-encoded ('/' as %2F). */
                pid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Dataset"][];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    preview: {
        parameters: {
            query?: {
                /** @description A stack's frame to draw (index along its first axis); default: the middle one. A frame past the stack's end is answered 422 naming how many frames there are. */
                frame?: number | null;
                size?: "thumb" | "large";
            };
            header?: never;
            path: {
                /** @description A dataset pid, percent-encoded ('/' as %2F). */
                pid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "Cache-Control"?: string;
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "image/png": string;
                };
            };
            /** @description Not Modified (the If-None-Match ETag still holds) */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    similarity_group: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A dataset pid, percent-encoded ('/' as %2F). */
                pid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SimilarityGroup"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    suggestion: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A dataset pid, percent-encoded ('/' as %2F). */
                pid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SuggestionItem"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    set_vote: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A dataset pid, percent-encoded ('/' as %2F). */
                pid: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["VoteBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VoteState"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    clear_vote: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A dataset pid, percent-encoded ('/' as %2F). */
                pid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VoteState"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    dataset_votes: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A dataset pid, percent-encoded ('/' as %2F). */
                pid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Vote"][];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    fields: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FieldList"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    labels: {
        parameters: {
            query?: {
                /** @description Voters' user names instead of pseudonyms (operators only). */
                names?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LabelsTable"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Me"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    my_proposals: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Proposal"][];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    my_votes: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Vote"][];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    openapi: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    processing: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProcessingStep"][];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    list_selections: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Selection"][];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    create_selection: {
        parameters: {
            query?: never;
            header?: {
                /** @description Any string up to 200 characters: a retry with the same key returns the first answer instead of acting twice (kept for 24 hours, in the store: also across service restarts). While the first is in progress a retry gets 409 conflict. */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SelectionCreate"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Selection"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    get_selection: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A selection id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Selection"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    delete_selection: {
        parameters: {
            query?: never;
            header?: {
                /** @description Any string up to 200 characters: a retry with the same key returns the first answer instead of acting twice (kept for 24 hours, in the store: also across service restarts). While the first is in progress a retry gets 409 conflict. */
                "Idempotency-Key"?: string;
            };
            path: {
                /** @description A selection id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No Content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    update_selection: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A selection id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SelectionPatch"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Selection"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    submit_selection: {
        parameters: {
            query?: never;
            header?: {
                /** @description Any string up to 200 characters: a retry with the same key returns the first answer instead of acting twice (kept for 24 hours, in the store: also across service restarts). While the first is in progress a retry gets 409 conflict. */
                "Idempotency-Key"?: string;
            };
            path: {
                /** @description A selection id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Accepted */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Selection"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    suggestions: {
        parameters: {
            query?: {
                beamline?: string[];
                /** @description Scientific-metadata condition 'name op value [unit]', op one of < <= = >= > != (< <= >= > take a number: at most 20 digits before the point, exponent at most 289; = and != also true, false, a quoted string or a word), e.g. 'temperature < 200 K'; a unit is an expression of at most 8 terms joined by '*', '/' or spaces (a term: a name, a number of up to 6 digits and 6 decimals, or one parenthesised group of such; names and groups may take a power '**' or '^' of at most 12), or a literal of at most 64 characters without * ^ ( ), superscript digits, quotes, $ { } or NUL. The pattern states it exactly. */
                condition?: string[];
                /** @description Inclusive lower bound on creationTime: ISO 8601 date-time (UTC if no zone). */
                created_after?: string | null;
                /** @description Exclusive upper bound on creationTime: ISO 8601 date-time (UTC if no zone). */
                created_before?: string | null;
                keyword?: string[];
                limit?: number;
                /** @description 'Worth processing': only datasets scored at least this (unscored ones left out). */
                min_score?: number | null;
                /** @description Only datasets the caller liked, disliked, voted on at all, or not voted on. */
                my_vote?: ("like" | "dislike" | "any" | "none") | null;
                /** @description Skip this many of the ranking. */
                offset?: number;
                /** @description Proposal ids (SciCat's may hold '/'); a dataset matches by proposalId or proposalIds. */
                proposal?: string[];
                technique?: string[];
                /** @description Free text: every word must occur; the last also as a prefix. */
                text?: string;
                /** @description raw, derived, or a site's custom SciCat type (the type facet lists them). */
                type?: string[];
                year?: number[];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SuggestionPage"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    suggested_parameters: {
        parameters: {
            query: {
                pid: string[];
                processing: "azimuthal-integration" | "frame-score" | "notebook" | "tomo-reconstruction" | "xas-normalisation";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SuggestedParameters"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    list_templates: {
        parameters: {
            query?: {
                /** @description Also retired templates (staff of their beamline only). */
                include_retired?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TemplateVersion"][];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    publish_template: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TemplatePublish"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TemplateVersion"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    get_template: {
        parameters: {
            query?: {
                /** @description A given version (staff of the beamline only); default the latest. */
                version?: number | null;
            };
            header?: never;
            path: {
                /** @description A beamline ('facility' for the templates shipped with beamhub). */
                beamline: string;
                /** @description A template's name within its beamline. */
                template: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TemplateVersion"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    template_diff: {
        parameters: {
            query: {
                from_version: number;
                /** @description Default: the latest. */
                to_version?: number | null;
            };
            header?: never;
            path: {
                /** @description A beamline ('facility' for the templates shipped with beamhub). */
                beamline: string;
                /** @description A template's name within its beamline. */
                template: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TemplateDiff"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    template_opened: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A beamline ('facility' for the templates shipped with beamhub). */
                beamline: string;
                /** @description A template's name within its beamline. */
                template: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No Content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    retire_template: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A beamline ('facility' for the templates shipped with beamhub). */
                beamline: string;
                /** @description A template's name within its beamline. */
                template: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TemplateRetire"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TemplateVersion"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    rollback_template: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A beamline ('facility' for the templates shipped with beamhub). */
                beamline: string;
                /** @description A template's name within its beamline. */
                template: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TemplateRollback"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TemplateVersion"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    template_versions: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A beamline ('facility' for the templates shipped with beamhub). */
                beamline: string;
                /** @description A template's name within its beamline. */
                template: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TemplateVersion"][];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    user_proposals: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A hub user name. */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Proposal"][];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    version: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Version"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The proxy refuses request heads (URL and headers) over 16 KiB */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
}
