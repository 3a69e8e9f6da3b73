from sns.cli import main

main()
