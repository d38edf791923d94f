  FROM alpine
	RUN echo tabbed
    # indented comment
