"""The compile pipeline: reading a project, the analysis check and compile share,
hashing and the runtime-tier rules."""
