from watchd.main import main

main()
