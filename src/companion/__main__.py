from companion._main import main

raise SystemExit(main())
