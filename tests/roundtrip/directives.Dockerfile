# syntax=docker/dockerfile:1.7
# check=skip=JSONArgsRecommended
# escape=\

# a plain comment
FROM alpine
