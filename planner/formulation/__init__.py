r"""The mixed-integer program: an Instance written as a Pyomo model, one function per constraint family.

planner writes each instance as a mixed-integer program in Pyomo and solves it with
HiGHS (:mod:`planner.solving`). The reported facts are then recomputed from the deal by
:mod:`planner.evaluate`, which follows the workbook format's "Meaning" section directly.
The mathematics, family by family, is in the docstrings of :mod:`~planner.formulation.rows`
(and ``docs/model.md``, generated from them).

* :mod:`~planner.formulation.coefficients` — package values as linear coefficients and
  their bounds (Pyomo-free);
* :mod:`~planner.formulation.thresholds` — exact right-hand sides of weighted votes
  (Pyomo-free);
* :mod:`~planner.formulation.presolve` — how the model is written (:class:`FormulationOptions`)
  and the reductions decided before it is (Pyomo-free);
* :mod:`~planner.formulation.rows` — ``build_model`` and one ``add_<family>`` per
  constraint family, with its mathematics;
* :mod:`~planner.formulation.scenarios` — the scenario blocks of the uncertain objectives.

The model's attributes. Solving (:mod:`planner.solving`), the frontier, the diagnosis,
sweeps and the tests read a built model by these names; a family that adds or renames
one says so here.

* ``build_model``: ``m.objective_name`` and ``m.home``, the objective and home side the
  model was built for.
* ``add_packages``: ``m.OPTIONS``, the (issue, option) pairs, and ``m.x``, the package
  binaries :math:`x_{io}`.
* ``add_links``: ``m.PAIRS`` and ``m.z``, the linked pairs and their products
  :math:`z_{ab}`; ``m.pair_index`` maps a pair ``((i, o), (j, q))`` to its index in ``m.z``.
* ``add_actions``: ``m.ACTIONS`` and ``m.n``, the actions and their uses :math:`n_a`.
* ``add_payments``: ``m.PAID`` and ``m.p``, the groups that can be paid and their
  payments :math:`p_g` (bounds: the caps); ``m.budget_limit``, each spending side's
  budget :math:`B_s` (a mutable parameter), and ``m.budget``, its row.
* ``add_transfers``: ``m.TRANSFERS`` and ``m.t``, the Transfers rows and their amounts
  :math:`t_k` (bounds: the limits).
* ``add_support``: ``m.VOTERS`` and ``m.y``, the groups with a support binary and the
  binaries :math:`y_g`; ``m.support``, every voting group's support (0, 1 or its possibly
  shared binary), which bodies and vetoes read; ``m.group_plans``, each voting group's
  :class:`~planner.formulation.presolve.GroupPlan`.
* ``add_bodies``: ``m.BLOCKABLE`` and ``m.a``, the bodies with a blocking minority and
  their binaries :math:`a_b`.
* ``add_negotiators``: ``m.SIDES`` and ``m.U``, the sides and each negotiator's utility
  :math:`U_s` (an expression).
* ``add_level_one``: ``m.level_one_limit``, each Level-I reservation :math:`R_s` (a
  mutable parameter), and ``m.level_one``, its row.
* ``add_objective``: ``m.obj``, the objective (maximised); for ``nash``, ``m.gain``,
  ``m.log_gain`` and ``m.tangents``, the gains :math:`d_s`, their log bounds
  :math:`\lambda_s` and the tangent cuts.
* ``add_scenarios``: ``m.SCENARIOS``, ``m.ratified`` (:math:`r_k`) and ``m.scenario[k]``,
  each scenario's block with its own ``support``; ``add_expected_objective``:
  ``m.expected``, which replaces ``m.obj`` as the active objective.

Budgets and Level-I reservations are mutable parameters and payment caps and transfer
limits are variable bounds, so that one built model serves a sweep over them
(:meth:`planner.solving.highs.BuiltModel.retarget`). Every other number is a constant of
the rows: changing it means building the model again.
"""
