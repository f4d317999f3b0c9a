# excerpt (line 59 of the file at 000fa9e2):
SECRET_KEY = env("DJANGO_SECRET_KEY", default=get_random_secret_key())
