from environs import Env

env = Env()
env.read_env()

ENV = env.str("FLASK_ENV", default="production")
SECRET_KEY = env.str("SECRET_KEY")
