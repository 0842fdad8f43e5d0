"""What beamhub knows about Slurm, shared by the Slurm spawner and the fog-filter jobs.

Pure functions and tables only, tested without Slurm; the code that runs ``sbatch``,
``scontrol`` and ``scancel`` (stateful) is :class:`beamhub.spawner.slurm.BeamhubSlurmSpawner`
for single-user servers and :class:`beamhub.jobs.runners.slurm.SlurmRunner` for jobs.

- :mod:`.script`: the batch script of a job (:class:`~.script.BatchJob`,
  :func:`~.script.batch_script`);
- :mod:`.state`: Slurm's job states (pending, running, ended), the parsing of
  ``scontrol show job -o`` and what to tell a user about a job;
- :mod:`.commands`: the ``{username}`` placeholder of site-configured commands.
"""
