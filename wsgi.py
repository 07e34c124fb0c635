from opsplatform import create_app

app = create_app()
