FROM alpine
ENV A=1 B="two words" C=three\ words
ENV LEGACY some value with spaces
LABEL "com.example.key"="v" other=x
ARG X=1 Y
