from alpine as base
run echo lower
env a=b
copy --from=base / /x
cmd ["sh"]
