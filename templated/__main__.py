from templated.main import main

main()
