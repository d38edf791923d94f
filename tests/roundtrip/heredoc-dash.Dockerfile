FROM alpine
RUN <<-EOF
	echo tab-indented
	EOF
RUN ls
