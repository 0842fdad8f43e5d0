"""``beamhub suggest ACTION``: the fog filter's suggestions for operators (see beamhub.suggest)."""

from __future__ import annotations

import argparse
import json
import sys

EPILOG = """\
The store is --store URL, else $BEAMHUB_STORE. Features are kept in --features FILE
(default STATE_DIR/suggest/features.sqlite, STATE_DIR being $BEAMHUB_STATE_DIR or the
current directory): a cache, safe to delete. As the operator unless --as-user USER
--groups G1,G2 [--staff-of B1,B2]: then exactly what that user's suggestions would be,
from the votes that user may see. Exit status: 0 on success, 1 for an error the message
explains, 2 for bad usage; evaluate: 3 when the goal is not reached.
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "suggest", help="train, evaluate and explain the fog filter's suggestions (operators)",
        description="Suggestions of datasets worth processing, learnt from likes and dislikes: one model "
                    "per technique, trained only on votes the audience may see.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])
    actions = parser.add_subparsers(dest="action", metavar="ACTION")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", metavar="URL", help="catalogue store URL; default $BEAMHUB_STORE")
    common.add_argument("--features", metavar="FILE", help="the feature cache (SQLite file)")
    common.add_argument("--as-user", metavar="USER", help="act as this user (default: the operator)")
    common.add_argument("--groups", metavar="G1,G2", default="", help="the user's groups (with --as-user)")
    common.add_argument("--staff-of", metavar="B1,B2", default="", help="beamlines the user is staff of")
    common.add_argument("--json", action="store_true", help="print JSON")

    def action(name, help, parents):
        return actions.add_parser(name, help=help, description=help[0].upper() + help[1:] + ".", parents=parents,
                                  epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)

    train = action("train", "compute missing features and train every technique's model; print their state",
                   [common])
    train.set_defaults(func=run_train)

    explain = action("explain", "a dataset's suggestion: score, nearest voted datasets, weightiest features, "
                     "similarity group", [common])
    explain.add_argument("pid")
    explain.set_defaults(func=run_explain)

    evaluate = action("evaluate", "measure suggestions on a generated catalogue of known hidden quality "
                      "against two baselines", [])
    evaluate.add_argument("--seed", type=int, default=0, help="everything is drawn from this (default 0)")
    evaluate.add_argument("--datasets", type=int, default=160, help="MX datasets generated (default 160)")
    evaluate.add_argument("--voters", type=int, default=8, help="simulated users (default 8)")
    evaluate.add_argument("--basket", type=int, default=10, help="basket size for precision (default 10)")
    evaluate.add_argument("--workdir", metavar="DIR", help="keep the generated files here (default: a "
                          "temporary directory, removed)")
    evaluate.add_argument("--json", action="store_true", help="print JSON")
    evaluate.set_defaults(func=run_evaluate)


def _open(args):
    from beamhub.cli.catalogue import identity_from, open_catalogue
    from beamhub.suggest import FeatureCache, Suggester
    from beamhub.suggest.features import default_cache_path

    store = open_catalogue(args.store)
    cache = FeatureCache(args.features or default_cache_path())
    return store, Suggester(store, cache), identity_from(args)


def run_train(args) -> int:
    from beamhub.suggest.model import NotEnoughVotes
    from beamhub.suggest.suggester import all_visible

    store, suggester, identity = _open(args)
    with store:
        datasets = all_visible(store, identity)
        features, problems = suggester.cache.get_many(datasets)
        models = suggester.models_for(identity, {f.technique for f in features.values()})
    rows = []
    for (technique, beamline), model in sorted(models.items(), key=lambda i: (i[0][0], i[0][1] or "")):
        if isinstance(model, NotEnoughVotes):
            rows.append({"technique": technique, "beamline": beamline, "model": None, "votes": model.votes,
                         "message": model.message})
        else:
            rows.append({"technique": technique, "beamline": beamline, "model": "logistic regression",
                         "votes": model.votes, "datasets": len(model.train_pids), "features": model.feature_names})
    if args.json:
        json.dump({"datasets": len(datasets), "features": len(features), "computed": suggester.cache.computed,
                   "problems": problems, "models": rows}, sys.stdout, indent=2)
        print()
        return 0
    print(f"{len(datasets)} datasets, features for {len(features)} ({suggester.cache.computed} computed now, "
          f"kept in {suggester.cache.path})")
    for pid, message in sorted(problems.items()):
        print(f"  no features for {pid}: {message}")
    for row in rows:
        scope = row["technique"] + (f" at {row['beamline']}" if row["beamline"] else "")
        if row["model"]:
            print(f"{scope}: trained on {row['votes']} votes on {row['datasets']} datasets")
        else:
            print(f"{scope}: {row['message']}")
    if not rows:
        print("no votes yet: nothing to train")
    return 0


def run_explain(args) -> int:
    store, suggester, identity = _open(args)
    with store:
        suggestion = suggester.explain(identity, args.pid)
        group = suggester.similarity_group(identity, args.pid)
    if args.json:
        json.dump({**suggestion.to_dict(), "group": group}, sys.stdout, indent=2)
        print()
        return 0
    if suggestion.score is None:
        print(f"{args.pid} ({suggestion.technique}): no suggestion: {suggestion.reason}")
    else:
        print(f"{args.pid} ({suggestion.technique}): suggested score {suggestion.score:.3f}, {suggestion.reason}")
        print("most similar voted datasets:")
        for n in suggestion.explanation["neighbours"]:
            print(f"  {n['pid']}  {n['datasetName']}  likes {n['likes']}, dislikes {n['dislikes']}, "
                  f"similarity {n['similarity']}")
        print("features that weighed most:")
        for f in suggestion.explanation["features"]:
            print(f"  {f['feature']}: {f['contribution']:+.3f} ({f['direction']})")
    ratio = "no votes" if group["likeRatio"] is None else f"like ratio {group['likeRatio']:.2f} of {group['votes']} votes"
    print(f"similarity group: {group['size']} datasets, average frame score {group['averageFrameScore']:.3f}, {ratio}")
    return 0


def run_evaluate(args) -> int:
    from beamhub.suggest.evaluate import GOAL_AUC, evaluate

    if args.datasets < 20 or args.voters < 2 or args.basket < 1:
        print("beamhub: evaluate needs --datasets >= 20, --voters >= 2 and --basket >= 1", file=sys.stderr)
        return 2
    result = evaluate(seed=args.seed, datasets=args.datasets, voters=args.voters, basket=args.basket,
                      workdir=args.workdir)
    if args.json:
        from dataclasses import asdict

        json.dump(asdict(result), sys.stdout, indent=2)
        print()
    else:
        print(result.report())
    margin = result.model.auc - max(result.random.auc, result.proposal.auc)
    return 0 if result.model.auc >= GOAL_AUC and margin >= 0.1 else 3
