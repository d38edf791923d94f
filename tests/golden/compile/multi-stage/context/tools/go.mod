module helper

go 1.22
