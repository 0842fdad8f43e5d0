"""The spawner's options are declared once: each site-file option that is a spawner
traitlet has the traitlet's default, bounds and help, and sets that traitlet; every other
option says why it is not one."""

from __future__ import annotations

import math

import pytest
from beamhub.spawner import BeamhubDockerSpawner, BeamhubSlurmSpawner, BeamhubSpawner
from beamhub.spawner.settings import (
    NOT_TRAITS,
    DockerSettings,
    SlurmSettings,
    SpawnerSettings,
    traitlet_of,
)
from pydantic import ValidationError
from traitlets.config import Config

MODELS = (SpawnerSettings, SlurmSettings, DockerSettings)
CLASSES = {cls.__name__: cls for cls in (BeamhubSpawner, BeamhubSlurmSpawner, BeamhubDockerSpawner)}


def linked(model):
    return {name: traitlet_of(field) for name, field in model.model_fields.items() if traitlet_of(field)}


def bounds(field) -> dict:
    found = {}
    for item in field.metadata:
        for key in ("ge", "le", "gt", "lt"):
            if getattr(item, key, None) is not None:
                found[key] = getattr(item, key)
    return found


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_option_is_a_traitlets_or_says_why_not(model):
    fields = set(model.model_fields)
    assert set(linked(model)) | set(NOT_TRAITS[model.__name__]) == fields
    assert not set(linked(model)) & set(NOT_TRAITS[model.__name__])


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_an_option_and_its_traitlet_have_one_default_one_help_and_the_same_bounds(model):
    for name, (owner, trait_name) in linked(model).items():
        field = model.model_fields[name]
        trait = CLASSES[owner].class_traits()[trait_name]
        assert trait.metadata.get("config"), f"{owner}.{trait_name} is not configurable"
        assert field.default == trait.default(), name
        assert field.description == " ".join(trait.help.split()), name
        expected = {key: value for key, value in (("ge", trait.__dict__.get("min")), ("le", trait.__dict__.get("max")))
                    if value is not None and not (isinstance(value, float) and math.isinf(value))}
        assert bounds(field) == expected, name


def test_the_drifts_of_old_are_gone():
    """home/home_path and env_keep/slurm_env_keep are one option each; the job's PATH is
    written once; max_proposals has the same bounds on both sides."""
    assert linked(SpawnerSettings)["home"] == ("BeamhubSpawner", "home_path")
    assert linked(SlurmSettings)["env_keep"] == ("BeamhubSlurmSpawner", "slurm_env_keep")
    assert SlurmSettings().job_path == BeamhubSlurmSpawner.class_traits()["job_path"].default()
    with pytest.raises(ValidationError):
        SpawnerSettings(max_proposals=51)
    spawner = BeamhubSpawner()
    with pytest.raises(Exception):
        spawner.max_proposals = 51


def test_apply_sets_each_option_on_its_traitlet():
    values = {
        "kind": "slurm", "default_profile": "", "data_roots": ["/d"], "mount_prefix": "/m",
        "resolve_data_symlinks": False, "home": "/h/{username}", "scratch": "/s/{username}", "scratch_target": "/t",
        "max_proposals": 7, "catalogue_server_url": "http://c/api/v1",
        "slurm": {"exec_prefix": "sudo -n -u {username}", "sbatch_options": ["--qos=x"], "job_log": "/l/%j",
                  "job_path": "/bin", "env_keep": ["SLURM_CONF"]},
    }
    settings = SpawnerSettings.model_validate(values)
    c = Config()
    settings.apply(c)
    for model, instance in ((SpawnerSettings, settings), (SlurmSettings, settings.slurm)):
        for name, (owner, trait_name) in linked(model).items():
            assert c[owner][trait_name] == getattr(instance, name), name
    docker = SpawnerSettings.model_validate({"kind": "docker", "docker": {"run_as_user": False}})
    c = Config()
    docker.apply(c)
    assert c.BeamhubDockerSpawner.run_as_user is False
