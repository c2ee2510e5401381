"""The contracts workflows, activities and starters share, on neutral ground: activity names
with their input and result models (``activities``), and workflow names, signals, inputs and
results (``workflows``). Neither ``workflows/`` nor ``activities/`` imports the other."""
