from office_agent.cli import main

main()
