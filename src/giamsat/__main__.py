from giamsat.cli import main

main()
