package main

import "fmt"

func main() { fmt.Println("helper 1.0") }
