/**
 * The staff's view of their beamline as a notebook of interactive hvplot (Bokeh) plots
 * over the catalogue service's `GET /beamlines/{beamline}/overview`: voted datasets with
 * who voted and their comments, the like ratio over time and per proposal, selections and
 * jobs on the beamline's data, and how often its templates were opened. A pure builder
 * (no imports), so the tests run this very code with Node.js and execute its notebook.
 */

function code(source: string): any {
  return { cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source };
}

function markdown(source: string): any {
  return { cell_type: 'markdown', metadata: {}, source };
}

export function overviewNotebook(
  beamline: string,
  kernel = { name: 'python3', display_name: 'Python 3 (ipykernel)' }
): any {
  const name = JSON.stringify(beamline);
  return {
    cells: [
      markdown(
        `# Beamline ${beamline}: votes, jobs and templates\n\n` +
          'For the beamline\'s staff only (the catalogue refuses others). Re-run to refresh.'
      ),
      {
        ...code(
          [
            'import hvplot.pandas  # noqa: F401  (interactive Bokeh plots)',
            'import pandas as pd',
            'from beamhub.client import Catalogue',
            '',
            `BEAMLINE = ${name}`,
            'overview = Catalogue().beamline_overview(BEAMLINE)  # GET /beamlines/{BEAMLINE}/overview',
            'votes = pd.DataFrame([',
            '    {"pid": d["pid"], "dataset": d["datasetName"], "proposal": d["proposalId"], **v}',
            '    for d in overview["datasets"] for v in d["votes"]',
            '], columns=["pid", "dataset", "proposal", "user", "value", "comment", "updatedAt"])',
            'votes["updatedAt"] = pd.to_datetime(votes["updatedAt"])',
            'votes["like"] = (votes["value"] == "like").astype(int)',
            'print(f"{len(votes)} votes on {votes.pid.nunique()} datasets of {BEAMLINE}")'
          ].join('\n')
        ),
        metadata: { tags: ['parameters'] }
      },
      markdown('## Datasets, likes and dislikes, and who voted'),
      code(
        [
          'pd.set_option("display.max_colwidth", None)  # comments in full',
          'per_dataset = pd.DataFrame([',
          '    {"dataset": d["datasetName"], "proposal": d["proposalId"], "likes": d["likes"],',
          '     "dislikes": d["dislikes"], "voters": ", ".join(v["user"] for v in d["votes"])}',
          '    for d in overview["datasets"]',
          '], columns=["dataset", "proposal", "likes", "dislikes", "voters"])',
          'per_dataset'
        ].join('\n')
      ),
      code(
        [
          '# every vote: who, what, their comment and when',
          'votes[["dataset", "proposal", "user", "value", "comment", "updatedAt"]].sort_values(["dataset", "updatedAt"])'
        ].join('\n')
      ),
      markdown('## Like ratio over time and per proposal'),
      code(
        [
          'by_day = votes.set_index("updatedAt").resample("D")["like"].agg(["mean", "count"]).dropna().reset_index()',
          'by_day.hvplot.line(x="updatedAt", y="mean", hover_cols=["count"], ylim=(0, 1), ylabel="like ratio",',
          '                   xlabel="day", title="Like ratio of the votes cast each day", width=650, height=300)'
        ].join('\n')
      ),
      code(
        [
          'by_proposal = votes.groupby("proposal")["like"].agg(["mean", "count"]).reset_index()',
          'by_proposal.hvplot.bar(x="proposal", y="mean", hover_cols=["count"], ylim=(0, 1), ylabel="like ratio",',
          '                       title="Like ratio per proposal", width=650, height=300)'
        ].join('\n')
      ),
      markdown('## Selections and jobs on the beamline\'s data'),
      code(
        [
          'selections = pd.DataFrame(overview["selections"], columns=["name", "owner", "status", "processing",',
          '                                                           "on_beamline", "jobId", "createdAt"])',
          'selections'
        ].join('\n')
      ),
      markdown('## Templates opened'),
      code(
        [
          'opens = pd.Series(overview["template_opens"], name="opens", dtype=int).rename_axis("template").reset_index()',
          'opens.hvplot.barh(x="template", y="opens", title="How often each template was opened", width=650,',
          '                  height=250) if len(opens) else "No template of this beamline opened yet."'
        ].join('\n')
      )
    ],
    metadata: {
      kernelspec: { ...kernel, language: 'python' },
      language_info: { name: 'python' }
    },
    nbformat: 4,
    nbformat_minor: 5
  };
}
