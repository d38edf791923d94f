FROM alpine
CMD ["/bin/sh", \
     "-c", \
     "echo hi"]
ENTRYPOINT [ "tini", "--" ]
