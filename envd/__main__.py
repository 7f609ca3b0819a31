from envd.main import main

main()
