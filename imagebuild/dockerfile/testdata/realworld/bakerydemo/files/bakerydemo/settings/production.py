if 'DJANGO_SECRET_KEY' in os.environ:
    SECRET_KEY = os.environ['DJANGO_SECRET_KEY']
else:
    SECRET_KEY = ''.join([random.SystemRandom().choice(string.printable) for i in range(50)])
